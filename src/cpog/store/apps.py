from django.apps import AppConfig


class StoreConfig(AppConfig):
    name = "cpog.store"
    label = "store"
    verbose_name = "Données de pilotage"
    default_auto_field = "django.db.models.BigAutoField"

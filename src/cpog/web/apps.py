from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "cpog.web"
    label = "web"
    verbose_name = "Application cpog"
    default_auto_field = "django.db.models.BigAutoField"

from ninja import NinjaAPI

api = NinjaAPI(title="cpog", version="1", urls_namespace="api")

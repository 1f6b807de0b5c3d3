from django.urls import path  # noqa: F401 (routes are added with the report pages and exports)

app_name = "reports"

urlpatterns: list = []

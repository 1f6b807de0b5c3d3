from django.urls import path

from reports import export_views

app_name = "reports"

urlpatterns: list = [
    path("exports/", export_views.exports, name="exports"),
    path("exports/<int:job_id>/", export_views.export_detail, name="export_detail"),
    path("exports/<int:job_id>/progress/", export_views.export_progress, name="export_progress"),
    path("exports/<int:job_id>/download/", export_views.export_file, name="export_file"),
]

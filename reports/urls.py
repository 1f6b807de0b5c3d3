from django.urls import path

from reports import export_views, verification_views, views

app_name = "reports"

urlpatterns = [
    path("", views.report, name="report"),
    path("cases/", views.cases, name="cases"),
    path("pdf/", views.pdf, name="pdf"),
    path("cases/<int:case_id>/replay/", views.replay, name="replay"),
    path("exports/", export_views.exports, name="exports"),
    path("exports/<int:job_id>/", export_views.export_detail, name="export_detail"),
    path("exports/<int:job_id>/progress/", export_views.export_progress, name="export_progress"),
    path("exports/<int:job_id>/download/", export_views.export_file, name="export_file"),
    path("audit/", verification_views.verifications, name="audit_verifications"),
    path("audit/<int:verification_id>/", verification_views.verification_detail, name="audit_verification"),
    path(
        "audit/<int:verification_id>/report/",
        verification_views.verification_report,
        name="audit_verification_report",
    ),
]

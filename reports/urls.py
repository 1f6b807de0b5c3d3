from django.urls import path

from reports import views

app_name = "reports"

urlpatterns = [
    path("", views.report, name="report"),
    path("cases/", views.cases, name="cases"),
    path("pdf/", views.pdf, name="pdf"),
    path("cases/<int:case_id>/replay/", views.replay, name="replay"),
]

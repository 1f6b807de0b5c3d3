from django.urls import path

from letters import views

app_name = "letters"

urlpatterns = [
    path("<int:letter_id>/pdf", views.letter_pdf, name="pdf"),
]

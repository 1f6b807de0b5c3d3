from django.urls import path

from letters import views

app_name = "letters"

urlpatterns = [
    path("<int:letter_id>/pdf", views.letter_pdf, name="pdf"),
    path("address/", views.address_change, name="address_change"),
    path("address/confirm/", views.address_confirm, name="address_confirm"),
]

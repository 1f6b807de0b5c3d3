from django.urls import path

from corebanking import views

app_name = "corebanking"

urlpatterns = [path("", views.postings, name="postings")]

from django.contrib import admin
from django.urls import include, path

from kartosfera import views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("", include("customers.urls")),
    path("cards/", include("cards.urls")),
    path("claims/", include("disputes.portal.urls")),
    path("back-office/", include("disputes.backoffice.urls")),
    path("letters/", include("letters.urls")),
    path("reports/", include("reports.urls")),
]

from django.contrib import admin
from django.urls import include, path

from kartosfera import views
from kartosfera.admin_site import SecondFactorAdminSite

# The admin keeps every registration made on ``admin.site`` and takes the back office's second factor.
admin.site.__class__ = SecondFactorAdminSite

handler400 = "kartosfera.views.bad_request"
handler403 = "kartosfera.views.permission_denied"
handler404 = "kartosfera.views.page_not_found"
handler500 = "kartosfera.views.server_error"

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("", include("customers.urls")),
    path("cards/", include("cards.urls")),
    path("claims/", include("disputes.portal.urls")),
    path("back-office/postings/", include("corebanking.urls")),
    path("back-office/", include("disputes.backoffice.urls")),
    path("letters/", include("letters.urls")),
    path("reports/", include("reports.urls")),
    path("api/", include("api.urls")),
]

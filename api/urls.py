from django.urls import path
from oauth2_provider.views import TokenView

from api.auth import TOKEN_PATH
from api.views import api

urlpatterns = [
    path(TOKEN_PATH.removeprefix("/api/"), TokenView.as_view(), name="api-token"),
    path("v1/", api.urls),
]

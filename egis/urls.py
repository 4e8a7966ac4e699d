from django.http import HttpRequest, JsonResponse
from django.urls import include, path

from egis.api.main import api as api_v1


def healthz(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"ok": True})


urlpatterns = [
    path("healthz", healthz),
    path("api/v1/", api_v1.urls),
    path("", include("egis.web.urls")),
]

# 403/404/500 in the app's look, also with DEBUG off (egis/web/views_errors.py).
handler403 = "egis.web.views_errors.permission_denied"
handler404 = "egis.web.views_errors.page_not_found"
handler500 = "egis.web.views_errors.server_error"

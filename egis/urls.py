from django.urls import include, path

from egis.api.main import api as api_v1

urlpatterns = [
    # /healthz, /readyz and /metrics (egis/ops/views.py): probes and Prometheus, no session.
    path("", include("egis.ops.urls")),
    path("api/v1/", api_v1.urls),
    path("", include("egis.web.urls")),
]

# 403/404/500 in the app's look, also with DEBUG off (egis/web/views_errors.py).
handler403 = "egis.web.views_errors.permission_denied"
handler404 = "egis.web.views_errors.page_not_found"
handler500 = "egis.web.views_errors.server_error"

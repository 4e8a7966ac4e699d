"""The WSGI entry point (gunicorn, `make run`, runserver through WSGI_APPLICATION).

The signal webhook (`/hooks/<hook_id>`) goes to its own handler with a short middleware
chain (egis/web/hook_handler.py, `settings.HOOK_MIDDLEWARE`); everything else to Django's
handler with the full chain (`settings.MIDDLEWARE`).
"""

import os
from collections.abc import Callable, Iterable
from typing import Any

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "egis.settings")

pages = get_wsgi_application()  # sets Django up first

from egis.web.hook_handler import HookHandler, is_hook_path  # noqa: E402

hooks = HookHandler()


def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    if is_hook_path(environ.get("PATH_INFO", "")):
        return hooks(environ, start_response)
    return pages(environ, start_response)

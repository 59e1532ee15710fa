import os
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from django.core.wsgi import get_wsgi_application

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]
# What the server sets for each request (PEP 3333, CGI): kept, whatever the process environment holds.
REQUEST_KEYS = frozenset(
    ("REQUEST_METHOD", "SCRIPT_NAME", "PATH_INFO", "QUERY_STRING", "CONTENT_TYPE", "CONTENT_LENGTH",
     "SERVER_NAME", "SERVER_PORT", "SERVER_PROTOCOL", "REMOTE_ADDR", "REMOTE_PORT")
)  # fmt: skip


def without_process_environment(app: WsgiApp, process_environment: Mapping[str, str]) -> WsgiApp:
    """granian (embedplatform/web_server.py) starts every request's WSGI environ from a copy of the process
    environment, CGI style, so request.META would carry DJANGO_SECRET_KEY, DATABASE_URL and the rest. This
    drops each entry that is the process's own (same name, same value) before Django sees the request."""
    own = {name: value for name, value in process_environment.items() if name not in REQUEST_KEYS}

    def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        for name, value in own.items():
            if environ.get(name) == value:
                del environ[name]
        return app(environ, start_response)

    return application


os.environ.setdefault("DJANGO_SETTINGS_MODULE", "embedplatform.settings")
application = without_process_environment(get_wsgi_application(), os.environ)

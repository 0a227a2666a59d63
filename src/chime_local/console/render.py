"""Rendering the console's pages: one Jinja2 environment per console, autoescaping HTML."""

from __future__ import annotations

import json
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape

from chime_local.protocol.http import HttpResponse

HTML = "text/html; charset=utf-8"
# No script, style or image from anywhere but the server itself; no framing by other sites.
SECURITY_HEADERS = {
    "content-security-policy": "default-src 'self'; frame-ancestors 'none'; form-action 'self'",
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
    "cache-control": "no-store",
}


def environment() -> Environment:
    env = Environment(
        loader=PackageLoader("chime_local.console", "templates"),
        autoescape=select_autoescape(default=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["pretty"] = lambda value: json.dumps(value, indent=2, sort_keys=True)
    return env


def html_response(status: int, body: bytes, headers: dict[str, str] | None = None) -> HttpResponse:
    return HttpResponse(status, {"content-type": HTML, **SECURITY_HEADERS, **(headers or {})}, body)


def redirect(location: str, headers: dict[str, str] | None = None) -> HttpResponse:
    return HttpResponse(303, {"location": location, **SECURITY_HEADERS, **(headers or {})})


def render(env: Environment, status: int, template: str, **context: Any) -> HttpResponse:
    return html_response(status, env.get_template(template).render(**context).encode())

"""The console's aiohttp application: its context, request guards and security headers.

`install(app, console)` adds the pages, the API and the static assets to the application the
health listener serves (monitor.health), so one port and one event loop serve them all.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import jinja2
from aiohttp import web

from monitor.web.actions import ActionError, Actions
from monitor.web.auth import CSRF_COOKIE, SESSION_COOKIE, Credentials, Signer, new_browser_id

STATIC = Path(__file__).parent / "static"
TEMPLATES = Path(__file__).parent / "templates"
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

# Scripts, styles and images from this service only: no CDN, and no inline script that an
# escaped-but-misplaced title could ever turn into code.
_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)


@dataclass
class Console:
    """What every console request needs."""

    actions: Actions
    credentials: Credentials
    signer: Signer
    templates: jinja2.Environment
    public_url: str | None = None


CONSOLE = web.AppKey("console", Console)
BROWSER = web.RequestKey("browser", str)  # the browser's random id, from its CSRF cookie
_NOT_CONSOLE = ("/healthz", "/readyz", "/metrics")  # answered as they always were


def templates() -> jinja2.Environment:
    """Templates with autoescaping on for every file: feed-provided text is hostile."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["q"] = lambda value: quote(str(value), safe="")
    env.filters["when"] = lambda v: v.strftime("%Y-%m-%d %H:%M UTC") if v is not None else "-"
    return env


def console_of(request: web.Request) -> Console:
    return request.app[CONSOLE]


def install(app: web.Application, console: Console) -> None:
    """Add the console, the API and the static files to `app`."""
    from monitor.web import api, pages

    app[CONSOLE] = console
    app.middlewares.append(browser_cookie)
    app.middlewares.append(security_headers)
    app.router.add_routes(api.routes)
    app.router.add_routes(pages.routes)
    app.router.add_static("/static/", STATIC, name="static", append_version=True)


@web.middleware
async def security_headers(request: web.Request, handler: Handler) -> web.StreamResponse:
    response = await handler(request)
    if request.path in _NOT_CONSOLE:
        return response
    response.headers.setdefault("Content-Security-Policy", _CSP)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("X-Frame-Options", "DENY")
    if not request.path.startswith("/static/"):
        response.headers.setdefault("Cache-Control", "no-store")
    return response


@web.middleware
async def browser_cookie(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Give each browser a random id, the thing its CSRF tokens are bound to."""
    if request.path in _NOT_CONSOLE:
        return await handler(request)
    known = request.cookies.get(CSRF_COOKIE)
    request[BROWSER] = known or new_browser_id()
    response = await handler(request)
    if not known and not request.path.startswith(("/api/", "/static/")):
        response.set_cookie(
            CSRF_COOKIE, request[BROWSER], httponly=True, samesite="Strict", path="/"
        )
    return response


def csrf_token(request: web.Request) -> str:
    return console_of(request).signer.csrf(request[BROWSER])


def is_form(request: web.Request) -> bool:
    return request.content_type in FORM_TYPES


def signed_in(request: web.Request) -> bool:
    console = console_of(request)
    return console.signer.valid_session(request.cookies.get(SESSION_COOKIE))


async def read_input(request: web.Request) -> dict[str, Any]:
    """A write's fields from a form or a JSON object; repeated form fields become lists."""
    if is_form(request):
        form = await request.post()
        out: dict[str, Any] = {}
        for key in form:
            values = form.getall(key)
            out[key] = values if len(values) > 1 or key in _LISTS else values[0]
        return out
    if request.content_type != "application/json":
        raise ActionError(
            f"send the fields as application/json (got {request.content_type or 'no type'})", 415
        )
    try:
        data = await request.json()
    except json.JSONDecodeError as exc:
        raise ActionError(f"the body is not valid JSON ({exc.msg})") from None
    if not isinstance(data, dict):
        raise ActionError("the body must be a JSON object of fields")
    return data


_LISTS = {"ids", "article_ids", "tags"}


def authorize(request: web.Request, fields: dict[str, Any]) -> None:
    """Refuse a write without credentials, or a browser's write without its CSRF token."""
    console = console_of(request)
    if not console.credentials.enabled:
        raise ActionError(
            "writes are off: set web.token_env (or web.token_file, or web.username with "
            "web.password_env) in the config and restart",
            403,
        )
    header = request.headers.get("Authorization")
    by_header = console.credentials.check(header)
    if header and not by_header:
        raise ActionError("the Authorization header's token or password is wrong", 401)
    if not by_header and not signed_in(request):
        raise ActionError("sign in first (/login), or send Authorization: Bearer TOKEN", 401)
    ambient = is_form(request) or not by_header
    token = fields.get("csrf") if is_form(request) else request.headers.get("X-CSRF-Token")
    if ambient and not console.signer.valid_csrf(
        str(token) if token else None, request.cookies.get(CSRF_COOKIE)
    ):
        raise ActionError(
            "the form's CSRF token is missing or stale: reload the page and submit again", 403
        )

"""The console's HTML pages, rendered on the server from the same views as the API; their
forms post to the API (monitor.web.api), which sends the browser back here."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from monitor.web import views
from monitor.web.api import query_int, statuses
from monitor.web.app import console_of, csrf_token, read_input, signed_in
from monitor.web.auth import CSRF_COOKIE, SESSION_COOKIE, SESSION_SECONDS

routes = web.RouteTableDef()


def render(request: web.Request, name: str, status: int = 200, **context: Any) -> web.Response:
    console = console_of(request)
    page = console.templates.get_template(name).render(
        csrf=csrf_token(request),
        writable=console.credentials.enabled,
        signed_in=signed_in(request),
        done=request.query.get("done", ""),
        here=request.path,
        status=status,
        **context,
    )
    return web.Response(text=page, status=status, content_type="text/html", charset="utf-8")


@routes.get("/")
async def home(request: web.Request) -> web.Response:
    raise web.HTTPFound("/events")


@routes.get("/events")
async def events(request: web.Request) -> web.Response:
    actions = console_of(request).actions
    limit = query_int(request, "limit", 50, 500)
    page = await views.events_page(actions.store(), limit, query_int(request, "offset", 0, 10**9))
    return render(request, "events.html", page=page, title="Events")


@routes.get("/events/{event_id}")
async def event(request: web.Request) -> web.Response:
    actions = console_of(request).actions
    event_id = request.match_info["event_id"]
    detail = await views.event_detail(actions.store(), event_id, actions.labels.read())
    if detail is None:
        return render(
            request,
            "error.html",
            404,
            message=f"no event {event_id!r}: it may have been merged or forgotten",
            back="/events",
        )
    # What it may be merged into: the latest events, one query.
    others = [e for e in await actions.store().events.newest(50) if e.id != event_id]
    return render(request, "event.html", detail=detail, others=others, title="Event")


@routes.get("/feeds")
async def feeds(request: web.Request) -> web.Response:
    actions = console_of(request).actions
    rows = await views.feeds_view(actions.store(), actions.config(), actions.now())
    return render(request, "feeds.html", feeds=rows, title="Feeds")


@routes.get("/alerts")
async def alerts(request: web.Request) -> web.Response:
    wanted = statuses(request)
    page = await views.alerts_page(console_of(request).actions.store(), wanted, 100)
    return render(request, "alerts.html", page=page, wanted=wanted, title="Alerts")


@routes.get("/feedback")
async def feedback(request: web.Request) -> web.Response:
    labels = console_of(request).actions.labels
    rows = list(labels.read().values())[-200:][::-1]
    return render(request, "feedback.html", labels=rows, path=str(labels.path), title="Feedback")


@routes.get("/login")
async def login_form(request: web.Request) -> web.Response:
    return render(request, "login.html", next=request.query.get("next", "/events"), title="Sign in")


@routes.post("/login")
async def login(request: web.Request) -> web.StreamResponse:
    console = console_of(request)
    fields = await read_input(request)
    target = str(fields.get("next") or "/events")
    if not target.startswith("/") or target.startswith("//"):
        target = "/events"
    if not console.signer.valid_csrf(
        str(fields.get("csrf") or ""), request.cookies.get(CSRF_COOKIE)
    ):
        return render(
            request,
            "login.html",
            403,
            next=target,
            title="Sign in",
            problem="the form was stale: try again",
        )
    fine = console.credentials.login(
        str(fields.get("token") or ""),
        str(fields.get("username") or ""),
        str(fields.get("password") or ""),
    )
    if not fine:
        problem = (
            "writes are off in this service's config"
            if not console.credentials.enabled
            else "wrong token or password"
        )
        return render(request, "login.html", 401, next=target, title="Sign in", problem=problem)
    response = web.HTTPSeeOther(target)
    response.set_cookie(
        SESSION_COOKIE,
        console.signer.session(),
        max_age=SESSION_SECONDS,
        httponly=True,
        samesite="Strict",
        path="/",
    )
    raise response


@routes.post("/logout")
async def logout(request: web.Request) -> web.StreamResponse:
    fields = await read_input(request)
    if not console_of(request).signer.valid_csrf(
        str(fields.get("csrf") or ""), request.cookies.get(CSRF_COOKIE)
    ):
        raise web.HTTPForbidden(text="the form was stale: reload the page and sign out again\n")
    response = web.HTTPSeeOther("/events")
    response.del_cookie(SESSION_COOKIE, path="/")
    raise response

"""/api/v1: the JSON API, and the one implementation of every write the pages' forms post.

A form post answers with a redirect back to the page it came from (`next`), carrying what
happened; a JSON request answers with JSON. Errors are `{"error": "..."}` with the status.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date
from typing import Any
from urllib.parse import urlencode

from aiohttp import web

from monitor.config import FeedConfig
from monitor.web import views
from monitor.web.actions import ActionError
from monitor.web.app import authorize, console_of, is_form, read_input
from monitor.web.openapi import document

routes = web.RouteTableDef()
Write = Callable[[web.Request, dict[str, Any]], Awaitable[tuple[Any, str]]]


def query_int(request: web.Request, name: str, default: int, most: int) -> int:
    """A whole-number query parameter, at most `most`; 400 naming it when it is not one."""
    raw = request.query.get(name, "")
    if not raw:
        return default
    if not raw.isdigit():
        raise web.HTTPBadRequest(text=f"{name} must be a whole number, not {raw!r}\n")
    return min(int(raw), most)


def statuses(request: web.Request) -> list[str]:
    """The `status` filter (comma-separated), all statuses when absent."""
    raw = request.query.get("status", "")
    wanted = [s for s in raw.split(",") if s] or list(views.ALERT_STATUSES)
    bad = [s for s in wanted if s not in views.ALERT_STATUSES]
    if bad:
        raise web.HTTPBadRequest(
            text=f"status {', '.join(bad)} is unknown; use {', '.join(views.ALERT_STATUSES)}\n"
        )
    return wanted


@routes.get("/api/v1/openapi.json")
async def openapi(request: web.Request) -> web.Response:
    return web.json_response(document())


@routes.get("/api/v1/events")
async def list_events(request: web.Request) -> web.Response:
    actions = console_of(request).actions
    page = await views.events_page(
        actions.store(),
        query_int(request, "limit", 50, 500),
        query_int(request, "offset", 0, 10**9),
    )
    return web.json_response(views.to_json(page))


@routes.get("/api/v1/events/{event_id}")
async def get_event(request: web.Request) -> web.Response:
    actions = console_of(request).actions
    event_id = request.match_info["event_id"]
    detail = await views.event_detail(actions.store(), event_id, actions.labels.read())
    if detail is None:
        return web.json_response({"error": f"no event {event_id!r}"}, status=404)
    return web.json_response(views.to_json(detail))


@routes.get("/api/v1/feeds")
async def list_feeds(request: web.Request) -> web.Response:
    actions = console_of(request).actions
    feeds = await views.feeds_view(actions.store(), actions.config(), actions.now())
    return web.json_response({"items": views.to_json(feeds)})


@routes.get("/api/v1/feeds/export")
async def export_feeds(request: web.Request) -> web.Response:
    try:
        text = console_of(request).actions.export_opml()
    except ActionError as exc:
        return web.json_response({"error": str(exc)}, status=exc.status)
    return web.Response(
        text=text,
        content_type="text/x-opml",
        headers={"Content-Disposition": 'attachment; filename="feeds.opml"'},
    )


@routes.get("/api/v1/alerts")
async def list_alerts(request: web.Request) -> web.Response:
    actions = console_of(request).actions
    page = await views.alerts_page(
        actions.store(),
        statuses(request),
        query_int(request, "limit", 100, 1000),
        query_int(request, "offset", 0, 10**9),
    )
    return web.json_response(views.to_json(page))


@routes.get("/api/v1/feedback")
async def list_feedback(request: web.Request) -> web.Response:
    labels = console_of(request).actions.labels
    return web.json_response({"file": str(labels.path), "items": list(labels.read().values())})


# -- writes --------------------------------------------------------------------------------


async def _write(request: web.Request, do: Write, status: int = 200) -> web.StreamResponse:
    form = is_form(request)
    try:
        fields = await read_input(request)
        authorize(request, fields)
        result, done = await do(request, fields)
    except ActionError as exc:
        if form:
            return _form_error(request, exc)
        return web.json_response({"error": str(exc)}, status=exc.status)
    if form:
        raise web.HTTPSeeOther(_back(fields, done=done))
    return web.json_response(result, status=status)


def _back(fields: dict[str, Any], **query: str) -> str:
    """Where a form returns to: its own page (a path on this site only), with a message."""
    target = str(fields.get("next") or "/")
    if not target.startswith("/") or target.startswith("//"):
        target = "/"
    target = target.split("?", 1)[0]
    return f"{target}?{urlencode(query)}"


def _form_error(request: web.Request, exc: ActionError) -> web.StreamResponse:
    if exc.status == 401:
        raise web.HTTPSeeOther(f"/login?{urlencode({'next': request.headers.get('Referer', '/')})}")
    page = console_of(request).templates.get_template("error.html")
    return web.Response(
        text=page.render(
            status=exc.status, message=str(exc), back=request.headers.get("Referer") or "/"
        ),
        status=exc.status,
        content_type="text/html",
    )


def _text(fields: dict[str, Any], name: str) -> str:
    value = fields.get(name)
    if value is None:
        return ""
    if not isinstance(value, str | int | float):
        raise ActionError(f"{name} must be text")
    return str(value).strip()


def _list(fields: dict[str, Any], name: str) -> list[str]:
    value = fields.get(name)
    if value is None or value == "":
        return []
    if isinstance(value, str):
        return [v.strip() for v in value.split(",") if v.strip()]
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return [v.strip() for v in value if v.strip()]
    raise ActionError(f"{name} must be a list of strings")


def _flag(fields: dict[str, Any], name: str) -> bool | None:
    value = fields.get(name)
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return value
    if str(value).lower() in ("1", "true", "on", "yes"):
        return True
    if str(value).lower() in ("0", "false", "off", "no"):
        return False
    raise ActionError(f"{name} must be true or false, not {value!r}")


def _day(fields: dict[str, Any], name: str) -> date | None:
    raw = _text(fields, name)
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise ActionError(f"{name} must be a date as YYYY-MM-DD, not {raw!r}") from None


def _feed_json(feed: FeedConfig) -> dict[str, Any]:
    return feed.model_dump(mode="json", exclude_none=True)


async def _add_feed(request: web.Request, fields: dict[str, Any]) -> tuple[Any, str]:
    url = _text(fields, "url")
    if not url:
        raise ActionError("url is required: the feed's http(s) address")
    feed = await console_of(request).actions.add_feed(
        url,
        name=_text(fields, "name") or None,
        interval=_text(fields, "interval") or None,
        tags=_list(fields, "tags"),
        enabled=_flag(fields, "enabled") is not False,
        check=_flag(fields, "check") is not False,
    )
    return _feed_json(feed), f"added feed {feed.name}"


async def _update_feed(request: web.Request, fields: dict[str, Any]) -> tuple[Any, str]:
    ref = _text(fields, "ref")
    if not ref:
        raise ActionError("ref is required: the feed's name or URL")
    tags = _list(fields, "tags") if "tags" in fields else None
    feed = await console_of(request).actions.update_feed(
        ref, interval=_text(fields, "interval") or None, tags=tags, enabled=_flag(fields, "enabled")
    )
    return _feed_json(feed), f"updated feed {feed.name}"


async def _remove_feed(request: web.Request, fields: dict[str, Any]) -> tuple[Any, str]:
    ref = _text(fields, "ref")
    if not ref:
        raise ActionError("ref is required: the feed's name or URL")
    feed = await console_of(request).actions.remove_feed(ref)
    return _feed_json(feed), f"removed feed {feed.name}"


async def _import_opml(request: web.Request, fields: dict[str, Any]) -> tuple[Any, str]:
    upload = fields.get("opml")
    data = _upload_bytes(upload)
    if not data.strip():
        raise ActionError("opml is required: the OPML document (a file, or its text)")
    added, skipped = await console_of(request).actions.import_opml(data)
    result = {
        "added": [_feed_json(f) for f in added],
        "skipped": [{"name": s.name, "url": s.url} for s in skipped],
    }
    return (
        result,
        f"imported {len(added)} feeds, skipped {len(skipped)} already there or not http(s)",
    )


def _upload_bytes(upload: object) -> bytes:
    """An uploaded file's bytes, or a text field's."""
    if isinstance(upload, web.FileField):
        return bytes(upload.file.read())
    return str(upload or "").encode()


async def _retry(request: web.Request, fields: dict[str, Any]) -> tuple[Any, str]:
    count = await console_of(request).actions.retry_alerts(_list(fields, "ids"))
    return {"retried": count}, f"{count} failed alerts will be sent again"


async def _drop(request: web.Request, fields: dict[str, Any]) -> tuple[Any, str]:
    out = await console_of(request).actions.drop_alerts(_list(fields, "ids"))
    result = {
        "dropped": out.changed,
        "also_dropped": [{"id": i, "why": w} for i, w in out.also_dropped],
        "refused": [{"id": i, "why": w} for i, w in out.refused],
    }
    refused = "; ".join(f"{i}: {w}" for i, w in out.refused)
    return result, f"dropped {len(out.changed) + len(out.also_dropped)}" + (
        f"; not dropped: {refused}" if refused else ""
    )


async def _feedback(request: web.Request, fields: dict[str, Any]) -> tuple[Any, str]:
    actions = console_of(request).actions
    kind, event_id, note = _text(fields, "kind"), _text(fields, "event_id"), _text(fields, "note")
    if kind == "not_a_launch":
        lines = await actions.not_a_launch(event_id, _list(fields, "article_ids"), note)
        return {
            "labels": [x.to_json() for x in lines]
        }, f"labelled {len(lines)} reports: not a launch"
    if kind == "merge":
        lines = await actions.merge(event_id, _text(fields, "into"), note)
        return {"event_id": _text(fields, "into"), "labels": [x.to_json() for x in lines]}, "merged"
    if kind == "split":
        new, lines = await actions.split(
            event_id, _list(fields, "article_ids"), _day(fields, "date"), note
        )
        return {"event_id": new, "labels": [x.to_json() for x in lines]}, f"split off as {new}"
    if kind == "missed":
        line = actions.missed(
            _text(fields, "url"),
            _text(fields, "actor"),
            _day(fields, "date"),
            _text(fields, "subtype"),
            note,
        )
        return {"labels": [line.to_json()]}, "recorded the missed launch"
    raise ActionError(f"kind {kind!r} is unknown; use not_a_launch, merge, split or missed")


def _post(path: str, do: Write, status: int = 200) -> None:
    async def handler(request: web.Request) -> web.StreamResponse:
        return await _write(request, do, status)

    routes.post(path)(handler)


_post("/api/v1/feeds", _add_feed, 201)
_post("/api/v1/feeds/update", _update_feed)
_post("/api/v1/feeds/remove", _remove_feed)
_post("/api/v1/feeds/import", _import_opml)
_post("/api/v1/alerts/retry", _retry)
_post("/api/v1/alerts/drop", _drop)
_post("/api/v1/feedback", _feedback, 201)

"""The OpenAPI 3.1 document of /api/v1, served at /api/v1/openapi.json."""

from __future__ import annotations

from typing import Any

_ERROR = {
    "description": "refused, with why",
    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
}
_OK = {"description": "done", "content": {"application/json": {"schema": {"type": "object"}}}}


def _read(summary: str, params: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return {
        "get": {
            "summary": summary,
            "parameters": params or [],
            "responses": {"200": _OK, "404": _ERROR},
        }
    }


def _write(summary: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {
        "post": {
            "summary": summary,
            "security": [{"bearer": []}, {"basic": []}],
            "requestBody": {
                "required": True,
                "content": {
                    "application/json": {"schema": schema},
                    "application/x-www-form-urlencoded": {"schema": schema},
                },
            },
            "responses": {
                "200": _OK,
                "201": _OK,
                "400": _ERROR,
                "401": _ERROR,
                "403": _ERROR,
                "404": _ERROR,
            },
        }
    }


def _query(name: str, kind: str, what: str) -> dict[str, Any]:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "schema": {"type": kind},
        "description": what,
    }


_PAGING = [_query("limit", "integer", "how many"), _query("offset", "integer", "how many to skip")]
_IDS = {"type": "array", "items": {"type": "string"}}
_TEXT = {"type": "string"}


def document() -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "monitor",
            "version": "1",
            "description": "Events, feeds, alerts and feedback of a running monitor. Reads are "
            "open; writes need the configured bearer token or basic-auth user.",
        },
        "paths": {
            "/api/v1/events": _read("events, newest first", _PAGING),
            "/api/v1/events/{event_id}": _read(
                "one event: its reports, timeline and alerts",
                [{"name": "event_id", "in": "path", "required": True, "schema": _TEXT}],
            ),
            "/api/v1/feeds": {
                **_read("every configured feed with its polling health"),
                **_write(
                    "add a feed (validated as `monitor feeds add`)",
                    {
                        "type": "object",
                        "required": ["url"],
                        "properties": {
                            "url": _TEXT,
                            "name": _TEXT,
                            "interval": _TEXT,
                            "tags": _IDS,
                            "enabled": {"type": "boolean"},
                            "check": {"type": "boolean", "default": True},
                        },
                    },
                ),
            },
            "/api/v1/feeds/update": _write(
                "change a feed's options or enable/disable it",
                {
                    "type": "object",
                    "required": ["ref"],
                    "properties": {
                        "ref": _TEXT,
                        "interval": _TEXT,
                        "tags": _IDS,
                        "enabled": {"type": "boolean"},
                    },
                },
            ),
            "/api/v1/feeds/remove": _write(
                "remove a feed",
                {"type": "object", "required": ["ref"], "properties": {"ref": _TEXT}},
            ),
            "/api/v1/feeds/import": _write(
                "add the feeds of an OPML document",
                {"type": "object", "required": ["opml"], "properties": {"opml": _TEXT}},
            ),
            "/api/v1/feeds/export": {
                "get": {
                    "summary": "the feeds as OPML",
                    "responses": {"200": {"description": "OPML", "content": {"text/x-opml": {}}}},
                }
            },
            "/api/v1/alerts": _read(
                "the outbox, newest first",
                [
                    _query(
                        "status",
                        "string",
                        "comma-separated: pending, unknown, failed, sent, dropped",
                    ),
                    *_PAGING,
                ],
            ),
            "/api/v1/alerts/retry": _write(
                "send failed alerts again",
                {"type": "object", "required": ["ids"], "properties": {"ids": _IDS}},
            ),
            "/api/v1/alerts/drop": _write(
                "give up undelivered alerts",
                {"type": "object", "required": ["ids"], "properties": {"ids": _IDS}},
            ),
            "/api/v1/feedback": {
                **_read("the labels written so far"),
                **_write(
                    "a correction: not_a_launch, merge or split (wrong event), missed",
                    {
                        "type": "object",
                        "required": ["kind"],
                        "properties": {
                            "kind": {"enum": ["not_a_launch", "merge", "split", "missed"]},
                            "event_id": _TEXT,
                            "article_ids": _IDS,
                            "into": _TEXT,
                            "date": {"type": "string", "format": "date"},
                            "url": _TEXT,
                            "actor": _TEXT,
                            "subtype": _TEXT,
                            "note": _TEXT,
                        },
                    },
                ),
            },
        },
        "components": {
            "schemas": {"Error": {"type": "object", "properties": {"error": _TEXT}}},
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer"},
                "basic": {"type": "http", "scheme": "basic"},
            },
        },
    }

"""The JSON API of a real `monitor run` on 127.0.0.1: what it reads, who may write, and what
writes do to the config file, the store and the labels file."""

from __future__ import annotations

import base64
import json
from urllib.parse import quote

import httpx

from monitor.evaluate import read_labels
from monitor.web.openapi import document
from tests.web.conftest import PASSWORD, Running

NK_5 = "missile_launch:north-korea:2022-01-05"
NK_11 = "missile_launch:north-korea:2022-01-11"
NK_17 = "missile_launch:north-korea:2022-01-17"


def event(running: Running, event_id: str) -> httpx.Response:
    return running.client().get(f"/api/v1/events/{quote(event_id, safe='')}")


def test_events_are_the_demo_launches_newest_first(running: Running) -> None:
    page = running.client().get("/api/v1/events").json()
    by_id = {e["id"]: e for e in page["items"]}
    assert set(by_id) == {NK_5, NK_11, NK_17}
    assert page["total"] == 3
    times = [e["first_seen"] for e in page["items"]]
    assert times == sorted(times, reverse=True)
    five = by_id[NK_5]
    assert (five["reports"], sorted(five["outlets"])) == (2, ["Newsweek", "Wire Service"])
    assert five["weapon"] == "ballistic missile" and five["languages"] == ["en"]
    assert five["alerts"] == {"console": "sent"}
    assert by_id[NK_11]["reports"] == 1


def test_an_event_lists_its_reports_timeline_and_alerts(running: Running) -> None:
    detail = event(running, NK_5).json()
    titles = {r["outlet"]: r["title"] for r in detail["reports"]}
    assert titles["Wire Service"].startswith("North Korea fires ballistic missile")
    assert all(r["url"].startswith("http://127.0.0.1:") for r in detail["reports"])
    first = next(r for r in detail["reports"] if r["explanation"])
    assert first["score"] is not None and first["explanation"][0].startswith("rule ")
    kinds = sorted(a["kind"] for a in detail["alerts"])
    assert kinds == ["followup", "new"]
    assert next(a for a in detail["alerts"] if a["kind"] == "new")["status"] == "sent"
    assert any("first alert to console" in t["what"] for t in detail["timeline"])
    missing = event(running, "missile_launch:nobody:1999-01-01")
    assert missing.status_code == 404 and "nobody" in missing.json()["error"]


def test_every_report_shows_its_detection_not_only_the_one_alerted(running: Running) -> None:
    """The report that opened the event carried its detection in the `new` alert; a later one
    did not (a follow-up alert has no explanation), yet it shows its own, read from the store."""
    detail = event(running, NK_5).json()
    opened = next(a for a in detail["alerts"] if a["kind"] == "new")["outlet"]
    later = [r for r in detail["reports"] if r["outlet"] != opened]
    assert later and len(later) < len(detail["reports"])
    for report in [*later, *detail["reports"]]:
        assert report["title"] and report["title"] != report["article_id"], report
        assert report["url"].startswith("http://127.0.0.1:"), report
        assert report["language"] == "en", report
        assert report["published"] is not None, report
        assert report["score"] is not None and report["score"] > 0, report
        assert report["explanation"][0].startswith("rule "), report
        assert report["explanation"][0].endswith(f"score {report['score']:.2f}"), report
        assert report["role"] == "peg", report


def test_health_metrics_and_readiness_answer_as_before(running: Running) -> None:
    client = running.client()
    assert (client.get("/healthz").status_code, client.get("/healthz").text) == (200, "ok\n")
    assert client.get("/readyz").text == "ready\n"
    assert client.get("/metrics").headers["content-type"].startswith("text/plain; version=")
    assert client.post("/healthz").status_code == 405
    assert client.get("/nowhere").status_code == 404


def test_writes_need_credentials_and_forms_need_their_csrf_token(running: Running) -> None:
    body = {"kind": "missed", "url": "https://news.example/a"}
    anonymous = running.client().post("/api/v1/feedback", json=body)
    assert anonymous.status_code == 401 and "Bearer" in anonymous.json()["error"]
    wrong = running.client(headers={"Authorization": "Bearer nope"}).post(
        "/api/v1/feedback", json=body
    )
    assert wrong.status_code == 401 and "wrong" in wrong.json()["error"]
    form = running.authed().post("/api/v1/feedback", data=body, follow_redirects=False)
    assert form.status_code == 403 and "CSRF" in form.text
    as_text = running.authed().post("/api/v1/feedback", content="kind=missed")
    assert as_text.status_code == 415
    basic = base64.b64encode(f"editor:{PASSWORD}".encode()).decode()
    ok = running.client(headers={"Authorization": f"Basic {basic}"}).post(
        "/api/v1/feedback", json=body
    )
    assert ok.status_code == 201, ok.text
    assert read_labels(running.labels)["https://news.example/a"].positive


def test_a_feed_added_through_the_api_is_validated_written_and_polled(running: Running) -> None:
    api = running.authed()
    bad = api.post("/api/v1/feeds", json={"url": "ftp://example.org/feed"})
    assert bad.status_code == 400 and "http:// or https://" in bad.json()["error"]
    taken = api.post("/api/v1/feeds", json={"url": running.feeds.url("/hostile/rss.xml")})
    assert taken.status_code == 400 and "already" in taken.json()["error"]
    page = api.post("/api/v1/feeds", json={"url": running.feeds.url("/extra/bake.html")})
    assert page.status_code == 400 and page.json()["error"].startswith("not added: ")
    url = running.feeds.url("/extra/rss.xml")
    added = api.post("/api/v1/feeds", json={"url": url, "tags": ["baking"]})
    assert added.status_code == 201, added.text
    assert added.json()["name"] == "Extra"  # the feed's own title, fetched first
    text = running.config.read_text()
    assert "# written by the console tests" in text and "name: Extra" in text

    def polled() -> bool:
        feeds = {f["name"]: f for f in api.get("/api/v1/feeds").json()["items"]}
        return feeds.get("Extra", {}).get("outcome") == "200"

    running.wait("the added feed's first poll", polled)
    off = api.post("/api/v1/feeds/update", json={"ref": "Extra", "enabled": False})
    assert off.status_code == 200 and off.json()["enabled"] is False
    assert "enabled: false" in running.config.read_text()
    gone = api.post("/api/v1/feeds/remove", json={"ref": "Extra"})
    assert gone.status_code == 200
    assert "name: Extra" not in running.config.read_text()

    def removed() -> bool:
        return "Extra" not in {f["name"] for f in api.get("/api/v1/feeds").json()["items"]}

    running.wait("the removal applied", removed)
    unknown = api.post("/api/v1/feeds/remove", json={"ref": "Extra"})
    assert unknown.status_code == 400 and "Extra" in unknown.json()["error"]


def test_opml_export_then_import_skips_what_is_there(running: Running) -> None:
    api = running.authed()
    opml = api.get("/api/v1/feeds/export")
    assert opml.status_code == 200 and "<opml" in opml.text and "Wire Service" in opml.text
    again = api.post("/api/v1/feeds/import", json={"opml": opml.text})
    assert again.status_code == 200 and again.json()["added"] == []
    assert len(again.json()["skipped"]) == 3


def test_not_a_launch_writes_a_label_monitor_eval_reads(running: Running) -> None:
    detail = event(running, NK_17).json()
    article = detail["reports"][0]["article_id"]
    answer = running.authed().post(
        "/api/v1/feedback",
        json={"kind": "not_a_launch", "event_id": NK_17, "article_ids": [article]},
    )
    assert answer.status_code == 201, answer.text
    labels = read_labels(running.labels)
    assert labels[article].positive is False
    shown = event(running, NK_17).json()["reports"][0]["label"]
    assert shown["label"] == 0
    listed = running.client().get("/api/v1/feedback").json()["items"]
    assert any(row["id"] == article for row in listed)
    stranger = running.authed().post(
        "/api/v1/feedback", json={"kind": "not_a_launch", "event_id": NK_17, "article_ids": ["x"]}
    )
    assert stranger.status_code == 400 and "not a report of event" in stranger.json()["error"]


def test_wrong_event_merge_and_split_fix_the_grouping_and_label_it(running: Running) -> None:
    api = running.authed()
    wire_11 = event(running, NK_11).json()["reports"][0]["article_id"]
    merged = api.post("/api/v1/feedback", json={"kind": "merge", "event_id": NK_11, "into": NK_5})
    assert merged.status_code == 201, merged.text
    assert event(running, NK_11).status_code == 404
    five = event(running, NK_5).json()
    assert five["event"]["reports"] == 3
    labels = read_labels(running.labels)
    moved = [r["article_id"] for r in five["reports"]]
    assert {labels[a].event_id for a in moved} == {"north-korea-2022-01-05"}

    assert wire_11 in moved
    split = api.post(
        "/api/v1/feedback",
        json={"kind": "split", "event_id": NK_5, "article_ids": [wire_11], "date": "2022-01-11"},
    )
    assert split.status_code == 201, split.text
    new_id = split.json()["event_id"]
    assert event(running, new_id).json()["event"]["launch_date"] == "2022-01-11"
    assert event(running, NK_5).json()["event"]["reports"] == 2
    assert read_labels(running.labels)[wire_11].event_id == "north-korea-2022-01-11"
    bad_day = api.post(
        "/api/v1/feedback",
        json={"kind": "split", "event_id": NK_5, "article_ids": [], "date": "11/1"},
    )
    assert bad_day.status_code == 400


def test_alerts_list_the_outbox_and_refuse_what_cannot_change(running: Running) -> None:
    page = running.client().get("/api/v1/alerts", params={"status": "sent"}).json()
    assert page["items"] and {a["status"] for a in page["items"]} == {"sent"}
    assert page["counts"]["sent"] == page["total"]
    bad = running.client().get("/api/v1/alerts", params={"status": "lost"})
    assert bad.status_code == 400 and "lost" in bad.text
    sent = page["items"][0]["id"]
    drop = running.authed().post("/api/v1/alerts/drop", json={"ids": [sent]}).json()
    assert drop["dropped"] == [] and drop["refused"] == [{"id": sent, "why": "already sent"}]
    assert running.authed().post("/api/v1/alerts/retry", json={"ids": [sent]}).json() == {
        "retried": 0
    }


def test_the_openapi_document_describes_every_api_route(running: Running) -> None:
    served = running.client().get("/api/v1/openapi.json").json()
    assert served == json.loads(json.dumps(document()))
    from monitor.web import api

    paths = {r.path for r in api.routes}  # type: ignore[attr-defined]
    documented = set(served["paths"]) | {"/api/v1/openapi.json"}
    assert paths == documented

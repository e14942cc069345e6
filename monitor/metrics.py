"""Prometheus metrics, in the service's own registry (not the client library's global one, so
tests and embedding processes see only ours). `/metrics` serves `render()`.

    POLLS{outcome}                  monitor_polls_total: 200, 304, unchanged, or an error kind
    FETCH_LATENCY                   monitor_fetch_seconds: feed fetch, request to last byte
    NEW_ENTRIES{feed}               monitor_new_entries_total
    EXTRACTIONS{result}             monitor_extractions_total: ok, failed
    DETECTIONS{event_type}          monitor_detections_total
    EVENTS{event_type}              monitor_events_total: new real-world events
    ALERTS{destination,result}      monitor_alerts_total: sent, failed, retried
    OUTBOX_DEPTH                    monitor_outbox_depth: alerts waiting for delivery
    FEEDS_IN_ERROR                  monitor_feeds_in_error: feeds whose last poll failed
    PUBLISH_TO_ALERT                monitor_publish_to_alert_seconds: item date -> alert sent
    MISSED_ITEMS{feed}              monitor_possibly_missed_items_total: polls where all were new
    ITEMS_CAPPED{feed}              monitor_items_capped_total: entries past polling.max_items
    ARTICLES_CAPPED{feed}           monitor_articles_capped_total: article fetches past
                                    polling.max_articles, left for a later poll
    POLL_DEADLINE_HIT{feed}         monitor_poll_deadline_hit_total: polls that stopped fetching
                                    articles at polling.poll_deadline
    INVALID_BYTES{feed,kind}        monitor_invalid_bytes_total: nul (removed), utf8 (invalid
                                    sequences replaced) in feed bodies
    DOCTYPE_REFUSED{feed}           monitor_doctype_refused_total: feed bodies whose DOCTYPE
                                    declared entities (refused, references removed)
    CONFIG_RELOADS{result}          monitor_config_reloads_total: ok, invalid, failed
    CONFIG_REFUSALS{reason}         monitor_config_refusals_total: reloads refused (invalid, empty,
                                    no_feeds, pending_alerts, not_applicable) and the file going
                                    missing or unreadable (missing, unreadable)
    STORE_FAULTS{kind}              monitor_store_faults_total: the store stopped taking writes
                                    (full, read_only, io, locked, corrupt, deleted, replaced, ...)
    STORE_WRITABLE                  monitor_store_writable: 1 while the store takes writes
    SCHEDULER_RUNNING               monitor_scheduler_running: 1 while polling
    SSRF_BLOCKED{address_class}     monitor_ssrf_blocked_total: connections the network policy
                                    refused: loopback, private, link_local, multicast, ...
"""

from __future__ import annotations

from collections.abc import Callable

from prometheus_client import CONTENT_TYPE_LATEST as CONTENT_TYPE
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

__all__ = ["CONTENT_TYPE", "REGISTRY", "render", "track"]

REGISTRY = CollectorRegistry(auto_describe=True)

_FETCH_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 20.0, 60.0)
# From the item's own publication time to the alert leaving: minutes matter, days happen.
_DELAY_BUCKETS = (30.0, 60.0, 120.0, 300.0, 600.0, 1800.0, 3600.0, 3 * 3600.0, 12 * 3600.0, 86400.0)

POLLS = Counter(
    "monitor_polls",
    "Feed polls by outcome: 200, 304, unchanged, or an error kind (timeout, connect, http_404, "
    "http_5xx, too_large, not_a_feed, ...)",
    ["outcome"],
    registry=REGISTRY,
)
FETCH_LATENCY = Histogram(
    "monitor_fetch_seconds",
    "Time to fetch a feed, request to last byte",
    buckets=_FETCH_BUCKETS,
    registry=REGISTRY,
)
NEW_ENTRIES = Counter("monitor_new_entries", "Entries not seen before", ["feed"], registry=REGISTRY)
EXTRACTIONS = Counter(
    "monitor_extractions", "Article page extractions by result", ["result"], registry=REGISTRY
)
PAGES_SPARED = Counter(
    "monitor_pages_spared",
    "Entries whose title and summary passed the screen but showed no launch: page not fetched",
    ["feed"],
    registry=REGISTRY,
)
DETECTIONS = Counter(
    "monitor_detections", "Articles the rules matched", ["event_type"], registry=REGISTRY
)
EVENTS = Counter("monitor_events", "New real-world events", ["event_type"], registry=REGISTRY)
ALERTS = Counter(
    "monitor_alerts",
    "Alert deliveries by destination and result (sent, failed, retried)",
    ["destination", "result"],
    registry=REGISTRY,
)
OUTBOX_DEPTH = Gauge("monitor_outbox_depth", "Alerts waiting to be delivered", registry=REGISTRY)
FEEDS_IN_ERROR = Gauge("monitor_feeds_in_error", "Feeds whose last poll failed", registry=REGISTRY)
PUBLISH_TO_ALERT = Histogram(
    "monitor_publish_to_alert_seconds",
    "Delay from an item's publication time to its alert being sent",
    buckets=_DELAY_BUCKETS,
    registry=REGISTRY,
)
MISSED_ITEMS = Counter(
    "monitor_possibly_missed_items",
    "Polls where every item was new since the last poll, so some may have scrolled off unseen",
    ["feed"],
    registry=REGISTRY,
)
ITEMS_CAPPED = Counter(
    "monitor_items_capped",
    "Feed entries left out because a poll keeps only the newest polling.max_items",
    ["feed"],
    registry=REGISTRY,
)
ARTICLES_CAPPED = Counter(
    "monitor_articles_capped",
    "Article fetches past polling.max_articles in one poll; their items wait for a later poll",
    ["feed"],
    registry=REGISTRY,
)
POLL_DEADLINE_HIT = Counter(
    "monitor_poll_deadline_hit",
    "Polls that reached polling.poll_deadline with article fetches left; those items wait",
    ["feed"],
    registry=REGISTRY,
)
INVALID_BYTES = Counter(
    "monitor_invalid_bytes",
    "Invalid bytes in feed bodies by kind: nul (removed), utf8 (sequences replaced by U+FFFD)",
    ["feed", "kind"],
    registry=REGISTRY,
)
DOCTYPE_REFUSED = Counter(
    "monitor_doctype_refused",
    "Feed bodies whose DOCTYPE declared entities: refused, and references to them removed",
    ["feed"],
    registry=REGISTRY,
)
CONFIG_RELOADS = Counter(
    "monitor_config_reloads", "Config reloads by result", ["result"], registry=REGISTRY
)
SCHEDULER_RUNNING = Gauge(
    "monitor_scheduler_running", "1 while the scheduler is polling", registry=REGISTRY
)
CONFIG_REFUSALS = Counter(
    "monitor_config_refusals",
    "Config changes not applied, by reason: invalid, empty, no_feeds, pending_alerts, "
    "not_applicable, missing, unreadable",
    ["reason"],
    registry=REGISTRY,
)
STORE_FAULTS = Counter(
    "monitor_store_faults",
    "Times the store stopped taking writes, by kind: full, read_only, io, locked, corrupt, "
    "unreachable, deleted, replaced, error",
    ["kind"],
    registry=REGISTRY,
)
STORE_WRITABLE = Gauge(
    "monitor_store_writable", "1 while the store takes the service's writes", registry=REGISTRY
)
SSRF_BLOCKED = Counter(
    "monitor_ssrf_blocked",
    "Feed, article and redirect fetches refused because they lead to a non-public address",
    ["address_class"],
    registry=REGISTRY,
)


def track(*, outbox_depth: Callable[[], float], feeds_in_error: Callable[[], float]) -> None:
    """Read the two gauges from the store at scrape time instead of setting them on change."""
    OUTBOX_DEPTH.set_function(outbox_depth)
    FEEDS_IN_ERROR.set_function(feeds_in_error)


def render(registry: CollectorRegistry = REGISTRY) -> bytes:
    """The Prometheus text exposition format, for GET /metrics."""
    return generate_latest(registry)


LOOP_LAG = Histogram(
    "monitor_event_loop_lag_seconds",
    "How late the event loop ran a timer: time something held the loop (monitor.looplag)",
    buckets=(0.001, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1.0),
    registry=REGISTRY,
)

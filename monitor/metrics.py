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
    CONFIG_RELOADS{result}          monitor_config_reloads_total: ok, invalid, failed
    SCHEDULER_RUNNING               monitor_scheduler_running: 1 while polling
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
CONFIG_RELOADS = Counter(
    "monitor_config_reloads", "Config reloads by result", ["result"], registry=REGISTRY
)
SCHEDULER_RUNNING = Gauge(
    "monitor_scheduler_running", "1 while the scheduler is polling", registry=REGISTRY
)


def track(*, outbox_depth: Callable[[], float], feeds_in_error: Callable[[], float]) -> None:
    """Read the two gauges from the store at scrape time instead of setting them on change."""
    OUTBOX_DEPTH.set_function(outbox_depth)
    FEEDS_IN_ERROR.set_function(feeds_in_error)


def render(registry: CollectorRegistry = REGISTRY) -> bytes:
    """The Prometheus text exposition format, for GET /metrics."""
    return generate_latest(registry)

"""The configuration file: one YAML document, validated strictly.

`load(text, source)` is pure; `load_file(path)` reads the file. Unknown keys, wrong types and bad
URLs are errors naming the file, the line and the key, with a hint. Secrets are never written in
the file itself: a destination names the environment variable (`*_env`) or file (`*_file`) that
holds each one, and `resolve_secret` reads it when the destination is built.
"""

from __future__ import annotations

import difflib
import os
import re
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

import yaml
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from monitor.errors import ConfigError
from monitor.logs import register_secret
from monitor.models import Feed

DEFAULT_PATH = Path("config/monitor.yaml")
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?\s*$")
_UNITS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0, None: 1.0}


def parse_duration(value: Any) -> Any:
    """Seconds from a number or a string such as "90", "90s", "5m", "2h", "1d"."""
    if isinstance(value, bool):
        return value  # let pydantic reject it as a non-number
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        m = _DURATION.match(value)
        if m:
            return float(m.group(1)) * _UNITS[m.group(2)]
        raise ValueError(f"{value!r} is not a duration; write seconds or e.g. 30s, 5m, 2h, 1d")
    return value


Duration = Annotated[float, BeforeValidator(parse_duration), Field(ge=0)]


def check_http_url(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(
            f"{value!r} is not an http(s) URL; write e.g. https://example.com/feed.xml"
        )
    return value


HttpURL = Annotated[str, BeforeValidator(lambda v: check_http_url(v) if isinstance(v, str) else v)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=False)


class StoreConfig(Strict):
    url: str = "sqlite:///data/monitor.sqlite3"


class FeedConfig(Strict):
    name: str = Field(min_length=1)
    url: HttpURL
    interval: Duration | None = None
    tags: list[str] = []
    enabled: bool = True
    full_text: bool = True
    headers: dict[str, str] = {}
    # The feed's language (ISO 639-1), when all its items are in one: no identification then.
    language: str | None = None

    @field_validator("language")
    @classmethod
    def _language_code(cls, value: str | None) -> str | None:
        if value is not None and not re.fullmatch(r"[a-z]{2,3}", value):
            raise ValueError(
                f"{value!r} is not a language code; write its ISO 639-1 code, e.g. ko, ja, ar"
            )
        return value


class PollingConfig(Strict):
    interval: Duration = 300.0
    min_interval: Duration = 60.0
    max_interval: Duration = 3600.0
    max_backoff: Duration = 6 * 3600.0
    timeout: Duration = 20.0
    max_body_bytes: int = Field(default=10_000_000, gt=0)
    max_redirects: int = Field(default=5, ge=0)
    per_host_concurrency: int = Field(default=2, ge=1)
    concurrency: int = Field(default=16, ge=1)
    user_agent: str = "monitor/0.1 (news alerting; +https://github.com/monitor-alerts/monitor)"
    failure_alert_after: int = Field(default=5, ge=1)

    @model_validator(mode="after")
    def _bounds(self) -> PollingConfig:
        if self.min_interval > self.max_interval:
            raise ValueError("min_interval must not exceed max_interval")
        return self


class DetectionConfig(Strict):
    rules: list[str] = []  # rule files; empty means the shipped missile_launch rules


class EventsConfig(Strict):
    window_days: int = Field(default=1, ge=0)  # event dates this far apart may be one event
    horizon: Duration = 30 * 86400.0  # forget items and events older than this
    # "Same text": estimated share of the shorter text found in the longer (containment). A
    # rewrite with its own lead and extra paragraphs keeps ~0.45 of the wire story (the AP and
    # Newsweek seeds); its Jaccard similarity is only ~0.15.
    near_duplicate: float = Field(default=0.3, gt=0, le=1)


class SlackDestination(Strict):
    type: Literal["slack"]
    channel: str = Field(min_length=1)
    token_env: str | None = "SLACK_BOT_TOKEN"
    token_file: str | None = None
    base_url: HttpURL | None = None  # for Slack-compatible servers; default is Slack's own
    timeout: Duration = 30.0


class SlackWebhookDestination(Strict):
    type: Literal["slack_webhook"]
    url_env: str | None = "SLACK_WEBHOOK_URL"
    url_file: str | None = None
    followups: Literal["digest", "suppress"] = "digest"
    digest_interval: Duration = 900.0
    timeout: Duration = 30.0


class EmailDestination(Strict):
    type: Literal["email"]
    host: str = Field(min_length=1)
    port: int = Field(default=587, gt=0, lt=65536)
    security: Literal["starttls", "tls", "none"] = "starttls"
    username: str | None = None
    password_env: str | None = None
    password_file: str | None = None
    sender: str = Field(alias="from", min_length=3)
    to: list[str] = Field(min_length=1)
    update_at_outlets: list[int] = []  # send a threaded update email at these outlet counts
    timeout: Duration = 30.0
    ca_file: str | None = None  # extra CA certificates to trust (a private mail server)

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class WebhookDestination(Strict):
    type: Literal["webhook"]
    url: HttpURL
    secret_env: str | None = None
    secret_file: str | None = None
    timeout: Duration = 30.0


class ConsoleDestination(Strict):
    type: Literal["console"]


Destination = Annotated[
    SlackDestination
    | SlackWebhookDestination
    | EmailDestination
    | WebhookDestination
    | ConsoleDestination,
    Field(discriminator="type"),
]


class RouteMatch(Strict):
    event_type: list[str] = []
    actor: list[str] = []
    tags: list[str] = []
    rule: list[str] = []


class Route(Strict):
    match: RouteMatch = RouteMatch()
    to: list[str] = Field(min_length=1)
    max_alerts: int | None = Field(default=None, ge=1)  # flood control: at most this many...
    per: Duration = 3600.0  # ...per this window, then one summary message
    continue_: bool = Field(default=False, alias="continue")  # keep matching later routes

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class DeliveryConfig(Strict):
    max_attempts: int = Field(default=16, ge=1)  # with the defaults: 45+ minutes of retrying
    backoff: Duration = 2.0
    max_backoff: Duration = 600.0
    slack_pace: Duration = 1.0  # seconds between messages to one Slack channel
    followup_cooldown: Duration = 60.0


class NotifyConfig(Strict):
    destinations: dict[str, Destination] = {}
    routes: list[Route] = []
    ops: list[str] = []  # destinations told when a feed goes down or comes back
    delivery: DeliveryConfig = DeliveryConfig()

    @model_validator(mode="after")
    def _routes_name_destinations(self) -> NotifyConfig:
        for i, route in enumerate(self.routes):
            for name in route.to:
                if name not in self.destinations:
                    known = ", ".join(sorted(self.destinations)) or "none defined"
                    raise ValueError(
                        f"routes[{i}] sends to {name!r}, which is not a destination "
                        f"(destinations: {known})"
                    )
        for name in self.ops:
            if name not in self.destinations:
                known = ", ".join(sorted(self.destinations)) or "none defined"
                raise ValueError(
                    f"ops names {name!r}, which is not a destination (destinations: {known})"
                )
        return self


class HttpConfig(Strict):
    listen: str | None = "127.0.0.1:9108"  # health and metrics; null turns it off

    @field_validator("listen")
    @classmethod
    def _host_port(cls, v: str | None) -> str | None:
        if v is None:
            return v
        _host, sep, port = v.rpartition(":")
        if not sep or not port.isdigit() or not 0 <= int(port) < 65536:
            raise ValueError(f"{v!r} is not HOST:PORT; write e.g. 0.0.0.0:9108")
        return v


class LoggingConfig(Strict):
    level: Literal["debug", "info", "warning", "error"] = "info"
    format: Literal["auto", "json", "text"] = "auto"


class Config(Strict):
    store: StoreConfig = StoreConfig()
    feeds: list[FeedConfig] = []
    polling: PollingConfig = PollingConfig()
    detection: DetectionConfig = DetectionConfig()
    events: EventsConfig = EventsConfig()
    notify: NotifyConfig = NotifyConfig()
    http: HttpConfig = HttpConfig()
    logging: LoggingConfig = LoggingConfig()
    source: str = Field(default="<config>", exclude=True)

    @model_validator(mode="after")
    def _unique_feeds(self) -> Config:
        seen: set[str] = set()
        for f in self.feeds:
            if f.name in seen:
                raise ValueError(f"feed name {f.name!r} is used twice; give each feed its own name")
            seen.add(f.name)
        return self

    def feed_objects(self) -> list[Feed]:
        return [
            Feed(
                name=f.name,
                url=f.url,
                interval=f.interval if f.interval is not None else self.polling.interval,
                tags=tuple(f.tags),
                enabled=f.enabled,
                full_text=f.full_text,
                headers=tuple(sorted(f.headers.items())),
                language=f.language,
            )
            for f in self.feeds
        ]

    def rule_paths(self) -> list[Path]:
        base = Path(self.source).parent if self.source != "<config>" else Path(".")
        return [p if p.is_absolute() else base / p for p in map(Path, self.detection.rules)]


# -- loading -----------------------------------------------------------------------------


def load(text: str, source: str = "<config>") -> Config:
    """Parse and validate a config document. Raises ConfigError naming source, line and key."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{source}:{mark.line + 1}" if mark is not None else source
        problem = getattr(exc, "problem", None) or str(exc)
        raise ConfigError(f"{where}: not valid YAML: {problem}") from exc
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError(f"{source}:1: the config must be a mapping of sections (store, feeds...)")
    lines = _key_lines(node) if node is not None else {}
    try:
        cfg = Config.model_validate({**data, "source": source})
    except ValidationError as exc:
        raise ConfigError(_describe(exc, source, lines, data)) from None
    return cfg


def load_file(path: str | Path) -> Config:
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(
            f"{p}: no such config file; pass --config PATH or copy config/monitor.yaml"
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{p}: cannot read the config file: {exc}") from None
    return load(text, str(p))


def resolve_secret(owner: str, env: str | None, file: str | None, what: str) -> str:
    """Read a secret from the named file or environment variable; never echo its value."""
    if file:
        try:
            value = Path(file).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ConfigError(
                f"{owner}: cannot read the {what} file {file}: {exc.strerror}"
            ) from None
        if not value:
            raise ConfigError(f"{owner}: the {what} file {file} is empty")
        register_secret(value)
        return value
    if env:
        value = os.environ.get(env, "").strip()
        if not value:
            raise ConfigError(
                f"{owner}: the {what} is missing; set the environment variable {env} "
                f"(or {what.replace(' ', '_')}_file in the config)"
            )
        register_secret(value)
        return value
    raise ConfigError(f"{owner}: no {what} configured; set {what.replace(' ', '_')}_env")


def _key_lines(node: yaml.Node, path: tuple[Any, ...] = ()) -> dict[tuple[Any, ...], int]:
    out = {path: node.start_mark.line + 1}
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            sub = (*path, key.value)
            out.update(_key_lines(value, sub))
            out[sub] = key.start_mark.line + 1
    elif isinstance(node, yaml.SequenceNode):
        for i, value in enumerate(node.value):
            out.update(_key_lines(value, (*path, i)))
    return out


def _describe(
    exc: ValidationError, source: str, lines: dict[tuple[Any, ...], int], data: Any
) -> str:
    messages = []
    for err in exc.errors():
        loc = tuple(p for p in err["loc"] if not _is_union_tag(p))
        line = next((lines[loc[:n]] for n in range(len(loc), -1, -1) if loc[:n] in lines), 1)
        key = ".".join(str(p) for p in loc) or "(top level)"
        msg = str(err["msg"]).removeprefix("Value error, ")
        if err["type"] == "extra_forbidden":
            msg = f"unknown key {loc[-1]!r}" + _suggest(loc, data)
        elif err["type"] == "missing":
            msg = "required key is missing"
        messages.append(f"{source}:{line}: {key}: {msg}")
    return "\n".join(messages)


def _is_union_tag(part: Any) -> bool:
    return isinstance(part, str) and part in {
        "slack",
        "slack_webhook",
        "email",
        "webhook",
        "console",
    }


def _flatten(ann: Any) -> list[Any]:
    args = getattr(ann, "__args__", ())
    if getattr(ann, "__metadata__", None) is not None:
        return _flatten(args[0]) if args else []
    return [a for arg in args for a in _flatten(arg)] if args else [ann]


def _suggest(loc: tuple[Any, ...], data: Any) -> str:
    model: Any = Config
    for part in loc[:-1]:
        field = getattr(model, "model_fields", {}).get(part)
        if field is None:
            break
        model = field.annotation
    models = [a for a in _flatten(model) if isinstance(a, type) and issubclass(a, BaseModel)]
    known = sorted({k for m in models for k in m.model_fields if k != "source"})
    close = difflib.get_close_matches(str(loc[-1]), known, n=1)
    if close:
        return f"; did you mean {close[0]!r}?"
    return f"; known keys here: {', '.join(known)}" if known else ""

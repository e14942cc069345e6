"""The configuration file: one YAML document, validated strictly.

`load(text, source)` is pure; `load_file(path)` reads the file. Unknown keys, wrong types and bad
URLs are errors naming the file, the line and the key, with a hint. Secrets are never written in
the file itself: a destination names the environment variable (`*_env`) or file (`*_file`) that
holds each one, and `resolve_secret` reads it when the destination is built. Relative file
paths (store.url's SQLite file, store.marker, detection.rules, each `*_file`) are resolved
against the config file's folder as the file is loaded (`monitor.config_paths`).
"""

from __future__ import annotations

import difflib
import os
import re
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ModelWrapValidatorHandler,
    PrivateAttr,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from monitor.config_paths import (
    ConfigPath,
    base_dir,
    context_base,
    feed_url_key,
    resolve_path,
    resolve_store_url,
    split_url,
)
from monitor.config_yaml import parsed, written_twice
from monitor.errors import ConfigError
from monitor.logs import register_secret
from monitor.models import Feed
from monitor.netpolicy import IPNetwork, NetworkPolicy, parse_network

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
    parts = split_url(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(
            f"{value!r} is not an http(s) URL; write e.g. https://example.com/feed.xml"
        )
    return value


HttpURL = Annotated[str, BeforeValidator(lambda v: check_http_url(v) if isinstance(v, str) else v)]


class LocatedError(ValueError):
    """A whole-config check's error that knows which key it is about, for the line number."""

    def __init__(self, message: str, loc: tuple[Any, ...]) -> None:
        super().__init__(message)
        self.loc = loc


def check_network(value: Any) -> IPNetwork:
    return parse_network(value if isinstance(value, str) else repr(value))


Network = Annotated[IPNetwork, BeforeValidator(check_network)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=False)


class StoreConfig(Strict):
    # SQLite (relative to the config file's folder) or PostgreSQL; see monitor.config_paths.
    url: str = Field(default="sqlite:///data/monitor.sqlite3", validate_default=True)
    # Records which store this config uses (monitor.store.marker); null: .monitor-store beside
    # the config file. Keep it outside the store's folder.
    marker: ConfigPath | None = None
    check_interval: Duration = Field(default=5.0, gt=0)  # store health: look and probe-write
    # Replicas on one PostgreSQL: a replica that stops beating for this long is gone, and the
    # feeds it was polling and the alerts it was sending go to the others.
    lease: Duration = Field(default=30.0, ge=2)
    _url_as_written: str = PrivateAttr(default="")

    @field_validator("url")
    @classmethod
    def _store_url(cls, value: str, info: ValidationInfo) -> str:
        return resolve_store_url(value, context_base(info))

    @model_validator(mode="wrap")
    @classmethod
    def _remember_url(cls, data: Any, handler: ModelWrapValidatorHandler[StoreConfig]) -> Any:
        store = handler(data)
        written = data.get("url") if isinstance(data, dict) else None
        default = cls.model_fields["url"].default
        store._url_as_written = written if isinstance(written, str) else str(default)
        return store

    @property
    def url_as_written(self) -> str:
        """store.url as the file says it, before a relative path was resolved."""
        return self._url_as_written or self.url


class FeedConfig(Strict):
    name: str = Field(min_length=1)
    url: HttpURL
    interval: Duration | None = None
    # Factories, not `[]` and `{}`: a mutable default is deep-copied for every feed.
    tags: list[str] = Field(default_factory=list)
    enabled: bool = True
    full_text: bool = True
    headers: dict[str, str] = Field(default_factory=dict)
    # The feed's language (ISO 639-1), when all its items are in one: no identification then.
    language: str | None = None
    # Non-public networks this feed and its articles may be fetched from (network.allow too).
    allow_networks: list[Network] = Field(default_factory=list)

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
    # One feed poll's limits, so that no feed can stall the service or aim it at a site:
    max_items: int = Field(default=500, ge=1)  # entries kept per poll, the newest
    max_articles: int = Field(default=50, ge=1)  # article pages fetched per poll; rest wait
    # Then article fetches stop, and those items wait too.
    poll_deadline: Duration = Field(default=120.0, validate_default=True)

    @field_validator("poll_deadline")
    @classmethod
    def _deadline_after_timeout(cls, value: float, info: ValidationInfo) -> float:
        timeout = info.data.get("timeout")
        if timeout is not None and value <= timeout:
            raise ValueError(
                f"{value:g} s is not longer than polling.timeout ({timeout:g} s): a poll needs "
                "time for its feed and at least one article; raise poll_deadline or lower timeout"
            )
        return value

    @model_validator(mode="after")
    def _bounds(self) -> PollingConfig:
        if self.min_interval > self.max_interval:
            raise ValueError("min_interval must not exceed max_interval")
        return self


class DetectionConfig(Strict):
    rules: list[ConfigPath] = []  # rule files; empty means the shipped missile_launch rules


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
    token_file: ConfigPath | None = None
    base_url: HttpURL | None = None  # for Slack-compatible servers; default is Slack's own
    timeout: Duration = 30.0


class SlackWebhookDestination(Strict):
    type: Literal["slack_webhook"]
    url_env: str | None = "SLACK_WEBHOOK_URL"
    url_file: ConfigPath | None = None
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
    password_file: ConfigPath | None = None
    sender: str = Field(alias="from", min_length=3)
    to: list[str] = Field(min_length=1)
    update_at_outlets: list[int] = []  # send a threaded update email at these outlet counts
    timeout: Duration = 30.0
    ca_file: ConfigPath | None = None  # extra CA certificates to trust (a private mail server)

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class WebhookDestination(Strict):
    type: Literal["webhook"]
    url: HttpURL
    secret_env: str | None = None
    secret_file: ConfigPath | None = None
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


class WebConfig(Strict):
    """The console and JSON API on `http.listen` (monitor.web). Reading needs nothing; writing
    (feeds, alerts, feedback) needs the token or the user and password, read from the
    environment or a file like every secret, so writes stay off until one is set."""

    enabled: bool = True
    public_url: HttpURL | None = None  # where people reach the console: Slack's "View event"
    token_env: str | None = None
    token_file: ConfigPath | None = None
    username: str | None = None
    password_env: str | None = None
    password_file: ConfigPath | None = None
    labels: ConfigPath = Field(default="data/labels.jsonl", validate_default=True)


class NetworkConfig(Strict):
    # Only public addresses are fetched (no SSRF to loopback, private, link-local...) except in
    # these networks, for every feed; a feed's allow_networks adds its own.
    allow: list[Network] = []

    def policy(self) -> NetworkPolicy:
        return NetworkPolicy(tuple(self.allow))


class LoggingConfig(Strict):
    level: Literal["debug", "info", "warning", "error"] = "info"
    format: Literal["auto", "json", "text"] = "auto"


class Config(Strict):
    # Validated from {} when absent, so that the default SQLite path is resolved like one written.
    store: StoreConfig = Field(default={}, validate_default=True)
    feeds: list[FeedConfig] = []
    polling: PollingConfig = PollingConfig()
    detection: DetectionConfig = DetectionConfig()
    events: EventsConfig = EventsConfig()
    notify: NotifyConfig = NotifyConfig()
    http: HttpConfig = HttpConfig()
    web: WebConfig = Field(default={}, validate_default=True)
    logging: LoggingConfig = LoggingConfig()
    network: NetworkConfig = NetworkConfig()
    source: str = Field(default="<config>", exclude=True)

    @model_validator(mode="after")
    def _unique_feeds(self) -> Config:
        names: set[str] = set()
        urls: dict[str, FeedConfig] = {}
        for i, f in enumerate(self.feeds):
            if f.name in names:
                raise LocatedError(
                    f"feed name {f.name!r} is used twice; give each feed its own name",
                    ("feeds", i, "name"),
                )
            names.add(f.name)
            first = urls.setdefault(feed_url_key(f.url), f)
            if first is not f:
                raise LocatedError(
                    f"feeds {first.name!r} and {f.name!r} have the same URL ({f.url}): each "
                    "article would count as two outlets and send a follow-up to its own alert; "
                    "remove one of them",
                    ("feeds", i, "url"),
                )
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
                # Per feed, so that a reload changes them: the client itself allows none.
                allow_networks=tuple(dict.fromkeys([*self.network.allow, *f.allow_networks])),
            )
            for f in self.feeds
        ]

    def rule_paths(self) -> list[Path]:
        """The rule files; relative to the config file's folder (already resolved by `load`)."""
        base = base_dir(self.source)
        return [Path(resolve_path(p, base)) for p in self.detection.rules]


# -- loading -----------------------------------------------------------------------------


def load(text: str, source: str = "<config>") -> Config:
    """Parse and validate a config document. Raises ConfigError naming source, line and key."""
    try:
        # Parsed once, with libyaml where PyYAML has it: the node tree gives the lines and the
        # duplicate keys, and the data is built from it.
        node, data = parsed(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{source}:{mark.line + 1}" if mark is not None else source
        problem = getattr(exc, "problem", None) or str(exc)
        raise ConfigError(f"{where}: not valid YAML: {problem}") from exc
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError(f"{source}:1: the config must be a mapping of sections (store, feeds...)")
    twice = written_twice(node, source)
    if twice:
        raise ConfigError(twice)
    try:
        cfg = Config.model_validate({**data, "source": source}, context={"base": base_dir(source)})
    except ValidationError as exc:
        # Where each key is written is needed only to say where a mistake is.
        lines = _key_lines(node) if node is not None else {}
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
        located = (err.get("ctx") or {}).get("error")
        if isinstance(located, LocatedError):
            loc = located.loc
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

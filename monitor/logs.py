"""Logging: JSON lines in a container, readable lines on a terminal, secrets redacted.

Stages log with fixed extra keys so lines can be filtered by what they are about:

    log.info("new entry", extra={"feed": feed.name, "entry": entry.key, "stage": "parse"})

Redaction runs on the finished line, so a secret cannot leak through a message argument, an
extra field or an exception's text: Slack tokens, Slack webhook paths, passwords in URLs,
bearer tokens, `token=`-style query values, and every value passed to `register_secret`.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import threading
from datetime import UTC, datetime
from typing import Any, TextIO

FIELDS = ("feed", "entry", "event", "alert", "stage", "destination", "url", "language")
_PATTERNS = (
    (re.compile(r"\bx(?:ox[abprse]|app)-[A-Za-z0-9-]{6,}"), "xox*-***"),
    (re.compile(r"(hooks\.slack\.com/(?:services|workflows|triggers)/)[A-Za-z0-9/_-]+"), r"\1***"),
    (re.compile(r"(://[^/\s:@]+):[^/\s@]+@"), r"\1:***@"),
    (re.compile(r"(?i)\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]{8,}"), r"\1 ***"),
    (
        re.compile(r"(?i)\b((?:api[_-]?)?(?:key|token|secret|password|passwd|pwd|sig))=[^&\s\"']+"),
        r"\1=***",
    ),
)
_RESERVED = frozenset(vars(logging.makeLogRecord({}))) | {"message", "asctime"}
_secrets: set[str] = set()
_secrets_lock = threading.Lock()


def register_secret(value: str | None) -> None:
    """Redact this exact value from every log line from now on (tokens, passwords...)."""
    if value and len(value) >= 4:  # shorter values would redact ordinary words
        with _secrets_lock:
            _secrets.add(value)


def redact(text: str) -> str:
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    with _secrets_lock:
        secrets = sorted(_secrets, key=len, reverse=True)
    for secret in secrets:
        if secret in text:
            text = text.replace(secret, "***")
    return text


class RedactFilter(logging.Filter):
    """Redacts the message, its arguments and exception text before any formatter sees them."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = redact(record.getMessage())
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        for key, value in list(vars(record).items()):
            if key not in _RESERVED and isinstance(value, str):
                setattr(record, key, redact(value))
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, the fixed fields, other extras."""

    def format(self, record: logging.LogRecord) -> str:
        out: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        out.update(_extras(record))
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            out["error"] = record.exc_text
        return redact(json.dumps(out, ensure_ascii=False, default=str))


class TextFormatter(logging.Formatter):
    """`12:00:01 INFO  monitor.fetch  message  feed=x entry=y` for people at a terminal."""

    def format(self, record: logging.LogRecord) -> str:
        when = datetime.fromtimestamp(record.created).strftime("%H:%M:%S")
        fields = " ".join(f"{k}={v}" for k, v in _extras(record).items())
        line = f"{when} {record.levelname:<7} {record.name}  {record.getMessage()}"
        if fields:
            line += f"  {fields}"
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            line += "\n" + record.exc_text
        return redact(line)


def setup_logging(level: str = "info", fmt: str = "auto", stream: TextIO | None = None) -> None:
    """Configure the root logger once per process (calling again replaces the handler).

    fmt: "json", "text", or "auto" (text on a terminal, JSON otherwise, as in a container).
    """
    stream = stream or sys.stderr
    if fmt == "auto":
        fmt = "text" if stream.isatty() else "json"
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter() if fmt == "json" else TextFormatter())
    handler.addFilter(RedactFilter())
    handler.set_name("monitor")
    root = logging.getLogger()
    for old in [h for h in root.handlers if h.get_name() == "monitor"]:
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level.upper())
    for noisy in ("httpx", "httpcore", "apscheduler", "htmldate", "trafilatura", "alembic"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, root.level))


def _extras(record: logging.LogRecord) -> dict[str, Any]:
    fixed = {k: getattr(record, k) for k in FIELDS if getattr(record, k, None) is not None}
    other = {
        k: v
        for k, v in vars(record).items()
        if k not in _RESERVED and k not in FIELDS and not k.startswith("_")
    }
    return fixed | other

"""Log lines: JSON fields, text on a terminal, secrets redacted."""

from __future__ import annotations

import io
import json
import logging

from monitor.logs import register_secret, setup_logging


def _log(fmt: str, *args: object, **extra: object) -> str:
    stream = io.StringIO()
    setup_logging("info", fmt, stream=stream)
    logging.getLogger("monitor.test").warning(*args, extra=extra)  # type: ignore[arg-type]
    return stream.getvalue()


def test_json_lines_carry_the_fixed_fields() -> None:
    line = _log("json", "poll failed: %s", "timeout", feed="yonhap", entry="id-1", stage="fetch")
    record = json.loads(line)
    assert record["message"] == "poll failed: timeout" and record["level"] == "warning"
    assert (record["feed"], record["entry"], record["stage"]) == ("yonhap", "id-1", "fetch")


def test_auto_is_json_when_not_a_terminal_and_text_is_readable() -> None:
    assert json.loads(_log("auto", "hello"))["message"] == "hello"
    text = _log("text", "sent", alert="a1", event="e1")
    assert "WARNING" in text and "sent" in text and "alert=a1" in text and "event=e1" in text


def test_secrets_are_redacted_everywhere() -> None:
    register_secret("hunter2-smtp-pass")
    line = _log(
        "json",
        "slack said %s for %s",
        "invalid_auth xoxb-123456789012-abcdefABCDEF",
        "https://hooks.slack.com/services/T000/B000/XXXXSECRET",
        url="postgresql://monitor:dbpass@db:5432/monitor?token=abc123",
        detail="login with hunter2-smtp-pass failed",
    )
    for secret in ("xoxb-123456789012", "XXXXSECRET", "dbpass", "abc123", "hunter2-smtp-pass"):
        assert secret not in line
    record = json.loads(line)
    assert "invalid_auth" in record["message"] and "monitor:***@db" in record["url"]

"""Output piped into a reader that stops early (`monitor replay ... | head`) ends quietly: exit
0, no traceback."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path


def test_replay_into_a_reader_that_stops_early(tmp_path: Path) -> None:
    items = tmp_path / "items.jsonl"
    with items.open("w") as f:
        for i in range(3000):  # far more output than a pipe holds
            item = {
                "id": f"wire-{i}",
                "title": f"Council meets for the {i}th time on the harbour budget",
                "text": "The council met again and adjourned without a vote. " * 3,
                "published": "2024-03-05T10:00:00+00:00",
            }
            f.write(json.dumps(item) + "\n")
    proc = subprocess.Popen(
        [sys.executable, "-m", "monitor", "replay", str(items)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdout is not None and proc.stderr is not None
    first = proc.stdout.readline()
    proc.stdout.close()  # what `head -1` does after its line
    stderr = proc.stderr.read().decode()
    proc.stderr.close()
    assert proc.wait(timeout=120) == 0, stderr
    assert json.loads(first)["id"] == "wire-0"
    assert "Traceback" not in stderr and "BrokenPipeError" not in stderr


def test_offline_commands_take_the_config_as_dash_c(tmp_path: Path) -> None:
    """`-c PATH` as on every other command: the config's rule file is the one read."""
    config = tmp_path / "monitor.yaml"
    config.write_text(
        "detection:\n  rules: [my-rules.yaml]\nfeeds:\n  - name: x\n    url: https://news.example/rss\n"
    )
    items = tmp_path / "items.jsonl"
    items.write_text(json.dumps({"id": "a", "title": "t", "text": "x"}) + "\n")
    labels = tmp_path / "labels.jsonl"
    labels.write_text(json.dumps({"id": "a", "label": 0}) + "\n")
    for args in (["replay", str(items)], ["eval", str(items), "--labels", str(labels)]):
        result = subprocess.run(
            [sys.executable, "-m", "monitor", *args, "-c", str(config)],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert result.returncode == 2, result.stderr
        assert str(tmp_path / "my-rules.yaml") in result.stderr

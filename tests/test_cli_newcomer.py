"""Commands as a newcomer first types them: output piped into a reader that stops early
(`monitor replay ... | head`) ends quietly; the README's eval command with a glob that also
matches the labels file; `-c` on the offline commands; the demo's own article scanned."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path


def test_replay_into_a_reader_that_stops_early(tmp_path: Path) -> None:
    items = tmp_path / "items.jsonl"
    with items.open("w") as f:
        for i in range(1000):  # far more output than a pipe holds (about 250 KB)
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


def test_the_readme_eval_command_with_its_glob(tmp_path: Path) -> None:
    """`monitor eval DEV/*.jsonl --labels DEV/labels.jsonl`: the glob names the labels too."""
    report = {
        "id": "wire-1",
        "title": "North Korea fires a ballistic missile into the sea",
        "text": "North Korea fired a ballistic missile into the sea off its east coast on "
        "Tuesday, South Korea's military said.",
        "published": "2024-03-05T03:00:00+00:00",
    }
    (tmp_path / "items.jsonl").write_text(json.dumps(report) + "\n")
    (tmp_path / "labels.jsonl").write_text(
        json.dumps({"id": "wire-1", "label": 1, "event_id": "nk-2024-03-05"}) + "\n"
    )
    result = subprocess.run(
        f"{sys.executable} -m monitor eval {tmp_path}/*.jsonl --labels {tmp_path}/labels.jsonl",
        shell=True,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "items 1, labelled positive 1" in result.stdout


def test_scanning_the_demo_article_finds_the_launch() -> None:
    demo = Path(__file__).parent.parent / "monitor" / "data" / "demo" / "ap-2022-01-05.txt"
    result = subprocess.run(
        [sys.executable, "-m", "monitor", "scan", str(demo)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "DETECTED missile_launch" in result.stdout and "actor=north-korea" in result.stdout

"""Feed management edits the config file, keeping comments; OPML round trip on a real file."""

from __future__ import annotations

from pathlib import Path

import pytest

from monitor import feeds_admin
from monitor.config import load_file
from monitor.errors import ConfigError
from monitor.opml import parse_opml

OPML = Path(__file__).parent.parent / "data" / "opml" / "netnewswire-default-feeds.opml"
CONFIG = """\
# production monitor
feeds:
  # Korean wire, full text
  - name: yonhap
    url: "https://en.yna.co.kr/RSS/news.xml"
    tags: [korea, wire]   # keep this

polling:
  interval: 5m
"""


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "monitor.yaml"
    path.write_text(CONFIG)
    return path


def test_add_disable_remove_keep_comments(config: Path) -> None:
    added = feeds_admin.add_feed(
        config, "https://www.nknews.org/feed/", interval="15m", tags=["korea"]
    )
    assert (added.name, added.interval) == ("nknews.org", 900.0)
    feeds_admin.set_enabled(config, "yonhap", False)
    text = config.read_text()
    for kept in (
        "# production monitor",
        "# Korean wire, full text",
        "# keep this",
        '"https://en.yna',
    ):
        assert kept in text
    assert "    enabled: false\n" in text and "\n\npolling:" in text
    assert [f.enabled for f in load_file(config).feeds] == [False, True]
    removed = feeds_admin.remove_feed(config, "https://www.nknews.org/feed/")
    assert removed.name == "nknews.org" and [f.name for f in load_file(config).feeds] == ["yonhap"]


@pytest.mark.parametrize(
    ("action", "words"),
    [
        (lambda p: feeds_admin.add_feed(p, "https://en.yna.co.kr/RSS/news.xml"), "already in"),
        (lambda p: feeds_admin.add_feed(p, "https://x.example/", name="yonhap"), "already used"),
        (lambda p: feeds_admin.remove_feed(p, "nope"), "no feed named 'nope'"),
        (lambda p: feeds_admin.update_feed(p, "yonhap", interval="soon"), "not a duration"),
        (lambda p: feeds_admin.add_feed(p, "HTTPS://EN.yna.co.kr/RSS/news.xml/"), "already in"),
        (lambda p: feeds_admin.add_feed(p, "not-a-url"), "give the feed's http:// or https://"),
        (lambda p: feeds_admin.add_feed(p, "ftp://x.example/f"), "not a feed URL monitor can"),
    ],
    ids=["same-url", "same-name", "unknown", "bad-interval", "same-url-spelt", "no-url", "ftp"],
)
def test_refused_edits_leave_the_file_alone(config: Path, action: object, words: str) -> None:
    with pytest.raises(ConfigError, match=words):
        action(config)  # type: ignore[operator]
    assert config.read_text() == CONFIG


def test_a_feed_is_named_by_its_title_made_unique(config: Path) -> None:
    titled = feeds_admin.add_feed(config, "https://a.example/rss", title="  yonhap ")
    assert titled.name == "yonhap (2)"
    untitled = feeds_admin.add_feed(config, "https://www.b.example/rss", title="")
    assert untitled.name == "b.example"


def test_opml_import_export_round_trip(config: Path) -> None:
    real = parse_opml(OPML.read_bytes(), str(OPML))
    assert len(real) == 16 and real[0].url == "http://inessential.com/feed.json"
    added, skipped = feeds_admin.import_opml(config, OPML.read_bytes(), str(OPML))
    assert len(added) == 16 and skipped == []
    again, skipped = feeds_admin.import_opml(config, OPML.read_bytes())
    assert again == [] and len(skipped) == 16
    exported = parse_opml(feeds_admin.export_feeds(config))
    assert [f.url for f in exported] == [
        "https://en.yna.co.kr/RSS/news.xml",
        *(f.url for f in real),
    ]
    assert exported[0].tags == ("korea", "wire")
    assert [f.name for f in exported[1:]] == [f.name for f in real]


def test_opml_folders_become_tags() -> None:
    doc = b"""<opml version="1.0"><body><outline text="Asia"><outline text="Korea">
      <outline text="KCNA" xmlUrl="https://kcna.example/rss" category="/state,wire"/>
      </outline></outline></body></opml>"""
    (feed,) = parse_opml(doc)
    assert (feed.name, feed.tags) == ("KCNA", ("Asia", "Korea", "state", "wire"))
    with pytest.raises(ConfigError, match="not an OPML file"):
        parse_opml(b"<rss/>")

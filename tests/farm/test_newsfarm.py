"""The benchmark's news farm (tests/farm/newsfarm.py): feeds on distinct loopback hosts,
conditional GET, its three modes, article pages with boilerplate, publishing; and the farm
through the service: a poll's unremarkable items are recorded seen, so a second pass finds
nothing new."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from monitor.config import load_file
from monitor.models import Article
from monitor.service import Service
from tests.farm.newsfarm import NewsFarm
from tests.servers import loopback


@pytest.fixture
def farm() -> Iterator[NewsFarm]:
    farm = NewsFarm(6, 3, hosts=3).start()
    yield farm
    farm.stop()


def test_feeds_live_on_distinct_hosts_and_answer_304_to_their_validators(farm: NewsFarm) -> None:
    assert len({farm.url(i).split("/")[2].split(":")[0] for i in range(6)}) == 3
    with httpx.Client() as client:
        first = client.get(farm.url(1))
        assert first.status_code == 200 and first.content.count(b"<item>") == 3
        again = client.get(farm.url(1), headers={"If-None-Match": first.headers["ETag"]})
        assert again.status_code == 304 and again.content == b""
        by_date = client.get(
            farm.url(1), headers={"If-Modified-Since": first.headers["Last-Modified"]}
        )
        assert by_date.status_code == 304
        farm.mode = "unconditional"
        same = client.get(farm.url(1), headers={"If-None-Match": first.headers["ETag"]})
        assert same.status_code == 200 and same.content == first.content
        farm.mode = "fresh"
        fresher = client.get(farm.url(1))
        assert fresher.content.count(b"<item>") == 3 and fresher.content != first.content
    assert len(farm.requests_to(1)) == 5 and farm.not_modified == 2


def test_items_link_to_pages_with_boilerplate_and_published_items_come_first(
    farm: NewsFarm,
) -> None:
    report = Article("r1", "Wire", "Rocket fired into the sea", "It flew 300 km.", None, None)
    when = farm.publish(2, report)
    with httpx.Client() as client:
        feed = client.get(farm.url(2)).text
        titles = re.findall(r"<title>([^<]+)</title>", feed)
        assert titles[:2] == ["Outlet 2", "Rocket fired into the sea"]
        link = re.findall(r"<link>(http://[^<]+\.html)</link>", feed)[0]
        page = client.get(link)
    assert page.status_code == 200
    assert "It flew 300 km." in page.text and "Most read" in page.text and "<nav>" in page.text
    assert farm.requests_to(2)[0] >= when


async def test_the_service_records_a_polls_unremarkable_items_and_finds_nothing_new_after(
    farm: NewsFarm, tmp_path: Path
) -> None:
    config = tmp_path / "monitor.yaml"
    feeds = "".join(
        f"  - {{name: f{i}, url: '{farm.url(i)}', full_text: false}}\n" for i in range(6)
    )
    config.write_text(
        f"store:\n  url: sqlite:///{tmp_path / 'm.sqlite3'}\nhttp:\n  listen: null\n"
        f"{loopback.NETWORK_YAML}feeds:\n{feeds}"
    )
    service = Service(load_file(config))
    await service.build()
    try:
        first = await service.once()
        farm.mode = "fresh"  # one new item in each feed: the two others are known
        second = await service.once()
    finally:
        await service.close()
    assert sorted(r.new_entries for r in first) == [3] * 6
    assert {r.outcome for r in second} == {"200"}
    assert [r.new_entries for r in second] == [1] * 6

"""Fixtures shared across the suite: real servers on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.servers.http import FeedServer
from tests.servers.news import publish


@pytest.fixture
def outlets() -> Iterator[FeedServer]:
    """Two outlets (AP and Newsweek) with the seed reports among unrelated stories."""
    with FeedServer() as server:
        publish(server)
        yield server

"""What the service loads before its first poll: not what only its worker processes or a schema
change need (trafilatura and lxml, Alembic), each a tenth of a second or more of every start."""

from __future__ import annotations

from tests.running import modules_loaded


def test_the_service_loads_neither_trafilatura_nor_alembic() -> None:
    loaded = modules_loaded("import monitor.service, monitor.cli", {"trafilatura", "alembic"})
    assert loaded == []


def test_extraction_still_works_where_it_runs() -> None:
    from monitor.extract import extract

    page = (
        "<html><head><title>Launch</title></head><body><article><h1>Launch</h1>"
        "<p>North Korea fired a ballistic missile into the sea off its east coast on Tuesday, "
        "the South Korean military said in a statement.</p></article></body></html>"
    )
    got = extract(page, "http://127.0.0.1/a.html")
    assert "ballistic missile" in got.text

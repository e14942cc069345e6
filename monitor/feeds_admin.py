"""What `monitor feeds ...` does to the config file, which stays the one source of truth.

Edits go through ruamel.yaml's round-trip mode, so the user's comments, key order and quoting
survive. Every edit is validated with `monitor.config.load` before the file is replaced
(atomically), so a command can never leave an invalid config behind; a running service picks
the change up through its config watcher.
"""

from __future__ import annotations

import copy
import io
import os
import re
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError

from monitor.config import (
    Config,
    FeedConfig,
    check_http_url,
    load,
    load_file,
    parse_duration,
)
from monitor.config_paths import feed_url_key
from monitor.errors import ConfigError
from monitor.opml import OpmlFeed, export_opml, parse_opml

_DASH = re.compile(r"^(\s*)-\s")


def list_feeds(path: str | Path) -> list[FeedConfig]:
    return list(load_file(path).feeds)


def check_feed_url(url: str) -> str:
    """`url` when it is an http(s) URL; else a ConfigError saying what is accepted."""
    try:
        return check_http_url(url)
    except ValueError:
        raise ConfigError(
            f"{url!r} is not a feed URL monitor can poll: give the feed's http:// or https:// "
            "address, e.g. https://example.com/feed.xml"
        ) from None


def check_new_feed(path: str | Path, url: str) -> None:
    """Refuse a URL that is not http(s) or whose feed is already configured in `path`."""
    check_feed_url(url)
    _refuse_known_url(_Doc(path).feeds(), url, path)


def add_feed(
    path: str | Path,
    url: str,
    *,
    name: str | None = None,
    title: str | None = None,
    interval: str | float | None = None,
    tags: Iterable[str] = (),
    enabled: bool = True,
    full_text: bool | None = None,
    headers: Mapping[str, str] | None = None,
) -> FeedConfig:
    """Append a feed to the config file and return it as validated. Its name is `name`, else
    the feed's own `title`, else the site's host name (both made unique)."""
    check_feed_url(url)
    doc = _Doc(path)
    existing = doc.feeds()
    _refuse_known_url(existing, url, path)
    base = (title or "").strip() or _name_from_url(url)
    chosen = name or _unique_name(base, {str(i.get("name")) for i in existing})
    if any(item.get("name") == chosen for item in existing):
        raise ConfigError(f"feed name {chosen!r} is already used in {path}; pass another --name")
    entry = CommentedMap(name=chosen, url=url)
    _apply_options(entry, interval, tags, enabled, full_text, headers)
    _append(existing, entry)
    cfg = doc.save()
    return _find(cfg, chosen)


def _refuse_known_url(feeds: Any, url: str, path: str | Path) -> None:
    for item in feeds:
        if feed_url_key(str(item.get("url"))) == feed_url_key(url):
            raise ConfigError(f"{url} is already in {path} as feed {item.get('name')!r}")


def update_feed(
    path: str | Path,
    ref: str,
    *,
    interval: str | float | None = None,
    tags: Iterable[str] | None = None,
    enabled: bool | None = None,
    full_text: bool | None = None,
    headers: Mapping[str, str] | None = None,
) -> FeedConfig:
    """Change options of the feed named (or with the URL) `ref`; None leaves one as it is."""
    doc = _Doc(path)
    item = _locate(doc.feeds(), ref, path)
    _apply_options(item, interval, tags, enabled, full_text, headers)
    return _find(doc.save(), str(item["name"]))


def set_enabled(path: str | Path, ref: str, enabled: bool) -> FeedConfig:
    return update_feed(path, ref, enabled=enabled)


def remove_feed(path: str | Path, ref: str) -> FeedConfig:
    """Remove a feed from the config. Its polling state stays in the store (keyed by URL)."""
    doc = _Doc(path)
    feeds = doc.feeds()
    item = _locate(feeds, ref, path)
    removed = _find(load(doc.text, str(path)), str(item["name"]))
    feeds.remove(item)
    doc.save()
    return removed


def import_opml(
    path: str | Path, data: bytes | str, source: str = "<opml>"
) -> tuple[list[FeedConfig], list[OpmlFeed]]:
    """Add every feed of an OPML document not already configured: (added, skipped)."""
    doc = _Doc(path)
    feeds = doc.feeds()
    urls = {feed_url_key(str(i.get("url"))) for i in feeds}
    names = {str(i.get("name")) for i in feeds}
    added_names: list[str] = []
    skipped: list[OpmlFeed] = []
    for feed in parse_opml(data, source):
        try:
            check_http_url(feed.url)
        except ValueError:
            skipped.append(feed)
            continue
        if feed_url_key(feed.url) in urls:
            skipped.append(feed)
            continue
        name = _unique_name(feed.name.strip() or _name_from_url(feed.url), names)
        entry = CommentedMap(name=name, url=feed.url)
        if feed.tags:
            entry["tags"] = _flow(feed.tags)
        _append(feeds, entry)
        urls.add(feed_url_key(feed.url))
        names.add(name)
        added_names.append(name)
    cfg = doc.save() if added_names else load(doc.text, str(path))
    return [_find(cfg, n) for n in added_names], skipped


def export_feeds(path: str | Path) -> str:
    cfg = load_file(path)
    return export_opml(OpmlFeed(f.name, f.url, tuple(f.tags)) for f in cfg.feeds)


# -- the round-trip document -----------------------------------------------------------------


class _Doc:
    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        try:
            self.text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise ConfigError(f"{self.path}: no such config file; create it first") from None
        except OSError as exc:
            raise ConfigError(f"{self.path}: cannot read the config file: {exc.strerror}") from None
        load(self.text, str(self.path))  # refuse to edit a file that is already invalid
        self._yaml = YAML(typ="rt")
        self._yaml.preserve_quotes = True
        self._yaml.width = 4096
        self._yaml.indent(**_indent_of(self.text))
        try:
            self.data: Any = self._yaml.load(self.text) or CommentedMap()
        except YAMLError as exc:
            raise ConfigError(f"{self.path}: not valid YAML: {exc}") from None

    def feeds(self) -> Any:
        if self.data.get("feeds") is None:
            self.data["feeds"] = CommentedSeq()
        return self.data["feeds"]

    def save(self) -> Config:
        out = io.StringIO()
        self._yaml.dump(self.data, out)
        text = out.getvalue()
        cfg = load(text, str(self.path))  # never write a config the service would refuse
        _write_atomically(self.path, text)
        self.text = text
        return cfg


def _indent_of(text: str) -> dict[str, int]:
    """Keep the file's list style: `- item` under its key, or indented `  - item`."""
    lines = text.splitlines()
    for i, line in enumerate(lines):
        m = _DASH.match(line)
        if m and i > 0:
            key_line = next((p for p in reversed(lines[:i]) if p.strip() and ":" in p), "")
            key_indent = len(key_line) - len(key_line.lstrip())
            offset = max(0, len(m.group(1)) - key_indent)
            return {"mapping": 2, "sequence": offset + 2, "offset": offset}
    return {"mapping": 2, "sequence": 4, "offset": 2}


def _write_atomically(path: Path, text: str) -> None:
    try:
        mode = path.stat().st_mode & 0o777
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                f.write(text)
            os.chmod(tmp, mode)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError as exc:
        raise ConfigError(
            f"{path}: cannot write the config file ({exc.strerror}); if it is mounted "
            "read-only (as /config is in the container), edit it where it is mounted from"
        ) from None


def _apply_options(
    entry: Any,
    interval: str | float | None,
    tags: Iterable[str] | None,
    enabled: bool | None,
    full_text: bool | None,
    headers: Mapping[str, str] | None,
) -> None:
    if interval is not None:
        try:
            parse_duration(interval)
        except ValueError as exc:
            raise ConfigError(f"interval: {exc}") from None
        _set(entry, "interval", interval)
    if tags is not None:
        tag_list = [t.strip() for t in tags if t.strip()]
        if tag_list:
            _set(entry, "tags", _flow(tag_list))
        else:
            entry.pop("tags", None)
    if enabled is not None:
        if enabled:
            entry.pop("enabled", None)  # the default; keep the file short
        else:
            _set(entry, "enabled", False)
    if full_text is not None:
        if full_text:
            entry.pop("full_text", None)
        else:
            _set(entry, "full_text", False)
    if headers is not None:
        if headers:
            _set(entry, "headers", CommentedMap(headers))
        else:
            entry.pop("headers", None)


def _set(entry: Any, key: str, value: Any) -> None:
    """entry[key] = value; a new last key takes over the blank lines that ended the mapping,
    so they keep separating it from what follows."""
    keys = list(entry)
    if key in entry or not keys:
        entry[key] = value
        return
    last = keys[-1]
    token = (entry.ca.items.get(last) or [None] * 4)[2]
    entry[key] = value
    if token is None or "\n" not in token.value:
        return
    head, _, tail = token.value.partition("\n")
    if not tail.strip("\n") and tail:
        moved = copy.copy(token)
        token.value = head + "\n"
        moved.value = "\n" + tail
        entry.ca.items[key] = [None, None, moved, None]


def _move_trailing(seq: Any) -> Any:
    """Before appending to a list, take the blank lines after its last item off that item, so
    they end up after the new one."""
    if not seq:
        return None
    last = seq[-1]
    if not isinstance(last, CommentedMap) or not list(last):
        return None
    key = list(last)[-1]
    token = (last.ca.items.get(key) or [None] * 4)[2]
    if token is None or "\n" not in token.value:
        return None
    head, _, tail = token.value.partition("\n")
    if not tail or tail.strip("\n"):
        return None
    token.value = head + "\n"
    moved = copy.copy(token)
    moved.value = "\n" + tail
    return moved


def _append(seq: Any, entry: CommentedMap) -> None:
    moved = _move_trailing(seq)
    seq.append(entry)
    if moved is not None:
        entry.ca.items[list(entry)[-1]] = [None, None, moved, None]


def _flow(items: Iterable[str]) -> CommentedSeq:
    seq = CommentedSeq(items)
    seq.fa.set_flow_style()
    return seq


def _locate(feeds: Any, ref: str, path: str | Path) -> Any:
    for item in feeds:
        if ref in (item.get("name"), item.get("url")):
            return item
    names = ", ".join(str(i.get("name")) for i in feeds) or "none"
    raise ConfigError(f"no feed named {ref!r} in {path} (feeds: {names})")


def _find(cfg: Config, name: str) -> FeedConfig:
    return next(f for f in cfg.feeds if f.name == name)


def _name_from_url(url: str) -> str:
    host = (urlsplit(url).hostname or url).removeprefix("www.")
    return host or url


def _unique_name(base: str, taken: set[str]) -> str:
    name, n = base, 2
    while name in taken:
        name, n = f"{base} ({n})", n + 1
    return name

"""Where the files a config names are: relative to the config file's folder, never the cwd.

The same config is read by the service, by cron jobs and by commands typed in any folder. A
relative path that followed the working folder made `monitor status -c /etc/monitor/monitor.yaml`
open (and create) another, empty store than the service's, and a cron job started elsewhere
would have alerted again on everything. So `monitor.config.load` resolves every file path a
config names (store.url's SQLite file, store.marker, detection.rules, each `*_file`) against
the folder of the file it read, once; everything downstream sees absolute paths. A config that
is not a file (the demo's, `load(text)` in a test) keeps its paths as written.

`feed_url_key` says when two feed URLs are one feed.

Only SQLite (`sqlite:///PATH`, a plain PATH, `:memory:`) and PostgreSQL store URLs are
accepted: any other scheme used to become a file named after the URL.
"""

from __future__ import annotations

import os
import re
from functools import lru_cache
from pathlib import Path
from typing import Annotated
from urllib.parse import SplitResult, urlsplit

from pydantic import AfterValidator, ValidationInfo

SQLITE_PREFIXES = ("sqlite:///", "sqlite://")  # the second is the older spelling
POSTGRES_PREFIXES = ("postgresql://", "postgres://")
MEMORY = ":memory:"
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*):")
ACCEPTED_STORES = (
    "sqlite:///PATH (a SQLite file; a relative PATH is relative to the config file's folder), "
    "a plain file PATH, or postgresql://USER@HOST:5432/DBNAME"
)


def base_dir(source: str) -> Path | None:
    """The folder the relative paths of a config read from `source` resolve against; None when
    the config did not come from a file ("<config>", "<demo>")."""
    if source.startswith("<"):
        return None
    return Path(os.path.abspath(Path(source).expanduser())).parent


def resolve_path(value: str, base: Path | None) -> str:
    """`value` as an absolute path when it is relative and the config came from a file."""
    if base is None or not value:
        return value
    path = Path(value).expanduser()
    return str(path if path.is_absolute() else base / path)


def context_base(info: ValidationInfo) -> Path | None:
    """The config file's folder, which `load` passes in the validation context."""
    context = info.context if isinstance(info.context, dict) else {}
    base = context.get("base")
    return base if isinstance(base, Path) else None


def _config_path(value: str, info: ValidationInfo) -> str:
    return resolve_path(value, context_base(info))


# A file the config names (store.marker, detection.rules, `*_file`): resolved as it is loaded.
ConfigPath = Annotated[str, AfterValidator(_config_path)]


@lru_cache(maxsize=1 << 16)
def split_url(url: str) -> SplitResult:
    """urlsplit, remembered: a feed's URL is read by its check and by the duplicate check."""
    return urlsplit(url)


def feed_url_key(url: str) -> str:
    """A feed URL as compared for sameness: scheme and host in lower case, no default port, no
    trailing slash. Two feeds with one key would count one article as two outlets."""
    parts = split_url(url.strip())
    scheme, host = parts.scheme.lower(), (parts.hostname or "").lower()
    try:
        port = parts.port
    except ValueError:
        port = None
    netloc = host if port in (None, {"http": 80, "https": 443}.get(scheme)) else f"{host}:{port}"
    query = f"?{parts.query}" if parts.query else ""
    return f"{scheme}://{netloc}{parts.path.rstrip('/')}{query}"


def sqlite_path(url: str) -> str | None:
    """The file part of a SQLite store URL or plain path, as written; None for PostgreSQL."""
    if url.startswith(POSTGRES_PREFIXES):
        return None
    for prefix in SQLITE_PREFIXES:
        if url.startswith(prefix):
            return url.removeprefix(prefix)
    return url


def check_store_url(url: str) -> str:
    """Refuse what is neither SQLite nor PostgreSQL, naming only the scheme: a URL may hold a
    password, which error text never shows."""
    if url.startswith(POSTGRES_PREFIXES):
        return url
    scheme = _SCHEME.match(url)
    if scheme is not None and not url.startswith(SQLITE_PREFIXES) and url != MEMORY:
        raise ValueError(
            f"scheme {scheme.group(1)!r} is not a store monitor can use; write {ACCEPTED_STORES}"
        )
    if not (sqlite_path(url) or "").strip():
        raise ValueError(f"names no file; write {ACCEPTED_STORES}")
    return url


def resolve_store_url(url: str, base: Path | None) -> str:
    """A checked store URL whose relative SQLite file is made absolute against `base`."""
    check_store_url(url)
    file = sqlite_path(url)
    if file is None or file == MEMORY or base is None:
        return url
    path = Path(file).expanduser()
    return url if path.is_absolute() else f"sqlite:///{base / path}"

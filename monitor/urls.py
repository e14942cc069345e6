"""Canonical article URLs: one spelling for the many links that lead to the same page.

The result is an identity key, not a link to fetch: the scheme is folded to https, mobile and
AMP variants to the main site, archive and AMP-cache wrappers to the page they wrap.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit, urlunsplit

# Query parameters that track the reader or the campaign and never select content.
_TRACKING = frozenset(
    {
        "fbclid",
        "gclid",
        "gclsrc",
        "dclid",
        "gbraid",
        "wbraid",
        "msclkid",
        "yclid",
        "twclid",
        "ttclid",
        "li_fat_id",
        "igshid",
        "igsh",
        "mc_cid",
        "mc_eid",
        "mkt_tok",
        "_hsenc",
        "_hsmi",
        "hsctatracking",
        "_ga",
        "_gl",
        "_openstat",
        "oly_anon_id",
        "oly_enc_id",
        "vero_id",
        "wickedid",
        "rb_clickid",
        "s_cid",
        "sc_cid",
        "cmpid",
        "icid",
        "ito",
        "smid",
        "smtyp",
        "ocid",
        "ncid",
        "sr_share",
        "ref",
        "ref_src",
        "ref_url",
        "referrer",
        "guccounter",
        "guce_referrer",
        "guce_referrer_sig",
        "amp",
        "outputtype",
        "amp_js_v",
        "usqp",
        "__twitter_impression",
        "fb_action_ids",
        "fb_action_types",
        "fb_ref",
        "fb_source",
        "action_object_map",
        "action_type_map",
        "action_ref_map",
        "at_medium",
        "at_campaign",
        "at_custom1",
        "at_custom2",
        "at_custom3",
        "at_custom4",
        "xtor",
        "ns_source",
        "ns_mchannel",
        "ns_campaign",
        "ns_linkname",
        "ns_fee",
        "ftag",
    }
)
_TRACKING_PREFIXES = ("utm_", "itm_", "pk_", "mtm_", "hmb_", "ga_", "stm_")
_MOBILE_HOSTS = ("www.", "m.", "mobile.", "amp.", "wap.")
_AMP_CACHE = re.compile(r"\.cdn\.ampproject\.org$")
_ARCHIVE_WRAPPER = re.compile(
    r"^/(?:newest/|oldest/|\d{8,14}[a-z_]*/|web/\d{1,14}[a-z_]*/|web/)?(https?:/{1,2}.+)$",
    re.IGNORECASE,
)
_ARCHIVE_HOSTS = frozenset(
    {"archive.is", "archive.ph", "archive.today", "archive.li", "archive.org", "web.archive.org"}
)
_AMP_PATH = re.compile(r"(?:/amp|\.amp|/amp\.html)/?$", re.IGNORECASE)
_DEFAULT_PORTS = {"http": 80, "https": 443}


def canonical_url(url: str) -> str:
    """The identity of the page `url` points to; unparseable input comes back trimmed."""
    url = url.strip()
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return url
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not parts.hostname:
        return url
    host = parts.hostname.rstrip(".")
    path = parts.path or "/"

    inner = _unwrap(host, path, parts.query)
    if inner is not None:
        return canonical_url(inner)

    while host.startswith(_MOBILE_HOSTS) and host.count(".") >= 2:
        host = host.split(".", 1)[1]
    if port is not None and port != _DEFAULT_PORTS.get(scheme):
        host = f"{host}:{port}"

    path = _AMP_PATH.sub("", _clean_path(path)) or "/"
    path = path.replace("/amp/", "/")
    if len(path) > 1:
        path = path.rstrip("/")
    query = urlencode(
        sorted((k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if _keeps(k))
    )
    return urlunsplit(("https", host, path, query, ""))


def _keeps(param: str) -> bool:
    name = param.lower()
    return name not in _TRACKING and not name.startswith(_TRACKING_PREFIXES)


def _clean_path(path: str) -> str:
    # Decode what need not be encoded and encode what must be, so %7E and ~ are one path.
    path = re.sub(r"/{2,}", "/", path)
    return quote(unquote(path), safe="/:@!$&'()*+,;=-._~")


def _unwrap(host: str, path: str, query: str) -> str | None:
    """The page an archive snapshot, AMP cache or Google AMP viewer link wraps, if any."""
    if host in _ARCHIVE_HOSTS:
        m = _ARCHIVE_WRAPPER.match(path)
        if m:
            inner = re.sub(r"^(https?):/(?!/)", r"\1://", m.group(1))
            return f"{inner}?{query}" if query else inner
    if _AMP_CACHE.search(host):
        m = re.match(r"^/(?:[a-z]/)*(.+)$", path)
        if m:
            return f"https://{m.group(1)}" + (f"?{query}" if query else "")
    if re.match(r"^(?:www\.)?google\.[a-z.]+$", host) and path.startswith("/amp/"):
        rest = path.removeprefix("/amp/").removeprefix("s/")
        return rest if rest.startswith("http") else f"https://{rest}"
    return None

"""The loopback guard: which endpoint URLs a sandbox client may use, and in which form.

Parsers disagree about odd URLs. ``urllib.parse`` reads ``http://10.0.0.1\\@127.0.0.1:5000`` as
host 127.0.0.1 with user info ``10.0.0.1\\``, while urllib3 (which botocore connects with) ends
the host at the backslash and connects to 10.0.0.1. So a URL is only accepted when it has no
user info, backslash, whitespace or control character, both parsers agree on its host and port,
and the host is an IP literal in 127.0.0.0/8, ``::1`` or exactly ``localhost``. Clients are then
given the URL rebuilt as ``scheme://host:port`` (``localhost`` as 127.0.0.1, so no name is ever
looked up), never the text as written.

Pure Python with no SDK import: bootstrap imports it on a base install too.
"""

from __future__ import annotations

import ipaddress
import urllib.parse

LOCALHOST = "127.0.0.1"
_SCHEMES = {"http": 80, "https": 443}
_LOOPBACK_V4 = ipaddress.ip_network("127.0.0.0/8")
_LOOPBACK_V6 = ipaddress.ip_address("::1")
WHAT_IS_LOOPBACK = "an IP address in 127.0.0.0/8, ::1 or exactly localhost"


class NotLoopbackError(ValueError):
    """A URL the guard refuses; the message says why."""


def is_loopback_host(host: str) -> bool:
    """Whether ``host`` is an IP literal in 127.0.0.0/8, ``::1`` (bracketed or not) or localhost.

    Names other than exactly ``localhost`` (``localhost.``, ``x.localhost``) are refused: they
    go through DNS, which may answer with anything.
    """
    return _loopback_ip(host) is not None


def loopback_url(url: str) -> str:
    """``url`` rebuilt as ``scheme://host:port``; raise NotLoopbackError unless it is loopback."""
    _check_characters(url)
    parts = urllib.parse.urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in _SCHEMES:
        raise NotLoopbackError(f"has scheme {parts.scheme!r}; only http and https are allowed")
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        raise NotLoopbackError("has a path, query or fragment; give only scheme://host:port")
    host, port = _host_and_port(url, parts)
    ip = _loopback_ip(host)
    if ip is None:
        raise NotLoopbackError(f"does not point at a loopback address ({WHAT_IS_LOOPBACK})")
    shown = f"[{ip}]" if ip.version == 6 else str(ip)
    return f"{scheme}://{shown}:{_SCHEMES[scheme] if port is None else port}"


def request_host_error(url: str) -> str | None:
    """Why the final request ``url`` must not be sent, or None if it goes to loopback.

    Unlike ``loopback_url`` this accepts a path and query (every request has them), but the
    host must still be loopback for both urllib's and urllib3's parser.
    """
    if "\\" in url or not url.isascii() or any(_is_control(c) for c in url):
        return f"request URL {url!r} contains a backslash or a control character"
    import urllib3.util  # comes with botocore, which is what sends the request

    try:
        seen = {urllib.parse.urlsplit(url).hostname or "", urllib3.util.parse_url(url).host or ""}
    except ValueError as exc:
        return f"request URL {url!r} cannot be parsed: {exc}"
    if any(_loopback_ip(host) is None for host in seen):
        return f"request URL {url!r} does not point at {WHAT_IS_LOOPBACK}"
    return None


def _check_characters(url: str) -> None:
    if not url.isascii() or any(_is_control(c) or c.isspace() for c in url):
        raise NotLoopbackError("contains whitespace, a control or a non-ASCII character")
    if "\\" in url:
        raise NotLoopbackError("contains a backslash")
    if "@" in url:
        raise NotLoopbackError("contains user info (@)")


def _host_and_port(url: str, parts: urllib.parse.SplitResult) -> tuple[str, int | None]:
    """Host and port as both urllib and urllib3 read them; refuse when they differ."""
    import urllib3.util  # comes with botocore, which is what connects

    try:
        port = parts.port
        other = urllib3.util.parse_url(url)
    except ValueError as exc:
        raise NotLoopbackError(f"cannot be parsed: {exc}") from exc
    host = (parts.hostname or "").lower()
    other_host = (other.host or "").strip("[]").lower()
    if not host or (host, port) != (other_host, other.port):
        raise NotLoopbackError(
            f"is read as host {host!r} port {port} by one URL parser and as host "
            f"{other_host!r} port {other.port} by another"
        )
    return host, port


def _loopback_ip(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    name = host[1:-1] if host.startswith("[") and host.endswith("]") else host
    if name.lower() == "localhost":
        return ipaddress.IPv4Address(LOCALHOST)
    if "%" in name:  # an IPv6 zone: not a plain ::1
        return None
    try:
        ip = ipaddress.ip_address(name)
    except ValueError:
        return None
    if ip.version == 4 and ip in _LOOPBACK_V4:
        return ip
    return ip if ip == _LOOPBACK_V6 else None


def _is_control(char: str) -> bool:
    return ord(char) < 0x20 or ord(char) == 0x7F

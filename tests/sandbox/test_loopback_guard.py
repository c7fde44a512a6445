"""The loopback guard of the stand-in provider and of bootstrap, in-process.

Every test here replaces ``socket.connect`` for the whole process, so a URL that slips past the
guard is recorded instead of reaching the network.
"""

from __future__ import annotations

import re
import socket
from collections.abc import Callable
from typing import Any

import pytest

from orgtf.errors import OrgtfError
from orgtf.sandbox.bootstrap import account_client
from orgtf.sandbox.client_guard import NonLoopbackRequestError
from orgtf.sandbox.loopback import is_loopback_host
from orgtf.sandbox.provider.session import max_attempts, open_session
from orgtf.sandbox.provider.settings import (
    ProviderSettings,
    SettingsError,
    resolve_endpoints,
    settings_from_config,
)

# Nothing listens here; with connect() replaced nothing is ever dialled anyway.
LOOPBACK = "http://127.0.0.1:9"
REVIEWER_URL = "http://10.255.255.1\\@127.0.0.1:5000"


@pytest.fixture
def connections(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """Every address a socket of this process tries to connect to; none is reached."""
    seen: list[object] = []

    def refuse(self: socket.socket, address: object) -> None:
        seen.append(address)
        raise ConnectionRefusedError(f"test: no connection to {address!r} allowed")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    return seen


def provider_config(endpoint: str, **extra: object) -> dict[str, Any]:
    return {
        "region": "us-east-1",
        "access_key": "testing",
        "secret_key": "testing",
        "endpoints": [{"iam": endpoint, "sts": endpoint}],
        **extra,
    }


@pytest.mark.parametrize(
    ("host", "loopback"),
    [("127.0.0.1", True), ("127.9.9.9", True), ("::1", True), ("[::1]", True),
     ("localhost", True), ("10.1.2.3", False), ("iam.amazonaws.com", False), ("", False),
     ("foo.localhost", False), ("localhost.", False), ("127.1", False),
     ("::ffff:127.0.0.1", False), ("::1%lo", False)],
)  # fmt: skip
def test_loopback_hosts(host: str, loopback: bool) -> None:
    assert is_loopback_host(host) is loopback


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        (REVIEWER_URL, "contains a backslash"),
        ("http://10.0.0.1@127.0.0.1:5000", "contains user info (@)"),
        ("http://127.0.0.1 :5000", "contains whitespace"),
        ("http://127.0.0.1:5000\n", "contains whitespace"),
        ("http://\uff11\uff12\uff17.0.0.1:5000", "non-ASCII"),  # full-width digits
        ("ftp://127.0.0.1:5000", "has scheme 'ftp'"),
        ("127.0.0.1:5000", "has scheme ''"),
        ("http://127.0.0.1:5000/x", "has a path"),
        ("http://sandbox.localhost:5000", "does not point at a loopback address"),
        ("http://localhost.:5000", "does not point at a loopback address"),
        ("http://10.1.2.3:5000", "does not point at a loopback address"),
        ("http://127.0.0.1:0x50", "cannot be parsed"),
    ],
)
def test_refused_endpoints_say_why(url: str, reason: str) -> None:
    with pytest.raises(SettingsError, match="never for real AWS") as info:
        resolve_endpoints([{"iam": url}], {})
    assert info.value.summary == "Refusing non-loopback AWS endpoint"
    assert reason in info.value.detail


def test_endpoints_are_rebuilt_and_env_ones_guarded_too() -> None:
    with pytest.raises(SettingsError, match="never for real AWS"):
        resolve_endpoints([], {"AWS_ENDPOINT_URL_STS": "https://sts.amazonaws.com"})
    urls = resolve_endpoints(
        [{"iam": "http://localhost:1/"}], {"AWS_ENDPOINT_URL": "http://[0:0::1]:2"}
    )
    assert urls["iam"] == "http://127.0.0.1:1"  # no name lookup for localhost
    assert urls["sts"] == "http://[::1]:2"


def test_reported_bypass_is_refused_before_connecting(connections: list[object]) -> None:
    with pytest.raises(SettingsError, match="contains a backslash"):
        open_session(settings_from_config(provider_config(REVIEWER_URL), {}))
    assert connections == []


def provider_iam() -> Any:
    skip = {"skip_credentials_validation": True, "skip_requesting_account_id": True}
    return open_session(settings_from_config(provider_config(LOOPBACK, **skip), {})).iam


def bootstrap_iam() -> Any:
    return account_client("iam", LOOPBACK, "us-east-1", "111111111111")


@pytest.mark.parametrize(
    "make_client", [provider_iam, bootstrap_iam], ids=["provider", "bootstrap"]
)
def test_a_request_redirected_off_loopback_is_not_sent(
    make_client: Callable[[], Any], connections: list[object]
) -> None:
    client = make_client()

    def redirect(request: Any, **_: Any) -> None:  # any SDK customisation that moves the host
        request.url = "http://10.255.255.1:5000/"

    client.meta.events.register("request-created", redirect)
    with pytest.raises(NonLoopbackRequestError, match=re.escape("10.255.255.1")):
        client.list_users()
    assert connections == []


def test_bootstrap_refuses_a_non_loopback_endpoint(connections: list[object]) -> None:
    with pytest.raises(
        OrgtfError, match=re.escape("refusing sandbox endpoint 'http://10.1.2.3:5'")
    ):
        account_client("iam", "http://10.1.2.3:5", "us-east-1", "111111111111")
    assert connections == []


@pytest.mark.parametrize(("max_retries", "attempts"), [(None, 5), (0, 1), (3, 4), (-1, 1)])
def test_max_retries_is_retries_after_the_first_attempt(
    max_retries: int | None, attempts: int
) -> None:
    settings = ProviderSettings(region="us-east-1", endpoints={}, max_retries=max_retries)
    assert max_attempts(settings) == attempts

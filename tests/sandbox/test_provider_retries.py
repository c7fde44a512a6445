"""The stand-in provider's clients retry 5xx answers and throttling, ``max_retries`` times.

A werkzeug server on 127.0.0.1 stands in for the emulator. For its first answers its app raises,
as moto did in the failure this guards against, so werkzeug answers with its HTML
``500 Internal Server Error`` page; after that it answers STS GetCallerIdentity. botocore's
retry backoff waits up to a second or two between attempts, so the tests keep retries few.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from wsgiref.types import StartResponse, WSGIEnvironment

import pytest
from werkzeug.serving import make_server

from orgtf.sandbox.bootstrap import account_client
from orgtf.sandbox.provider.session import open_session
from orgtf.sandbox.provider.settings import ProviderSettings, SettingsError

ACCOUNT = "123456789012"
CALLER_IDENTITY = f"""\
<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <GetCallerIdentityResult>
    <Arn>arn:aws:iam::{ACCOUNT}:user/tester</Arn>
    <UserId>AIDAEXAMPLEEXAMPLE</UserId>
    <Account>{ACCOUNT}</Account>
  </GetCallerIdentityResult>
  <ResponseMetadata><RequestId>retries-test</RequestId></ResponseMetadata>
</GetCallerIdentityResponse>
""".encode()
THROTTLED = b"""\
<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <Error><Type>Sender</Type><Code>Throttling</Code><Message>Rate exceeded</Message></Error>
  <RequestId>retries-test</RequestId>
</ErrorResponse>
"""
NEVER = 1_000_000


@dataclass
class FlakyEmulator:
    """Fails the first ``failures`` requests in the way ``fail`` says, then answers them."""

    fail: Callable[[StartResponse], list[bytes]]
    failures: int
    requests: list[str] = field(default_factory=list)
    url: str = ""
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        with self._lock:
            self.requests.append(f"{environ['REQUEST_METHOD']} {environ['PATH_INFO']}")
            failing = len(self.requests) <= self.failures
        if failing:
            return self.fail(start_response)
        start_response("200 OK", [("Content-Type", "text/xml")])
        return [CALLER_IDENTITY]


def crash(start_response: StartResponse) -> list[bytes]:
    """What moto did: an exception, which werkzeug turns into its HTML 500 page."""
    raise RuntimeError("dictionary changed size during iteration")


def throttle(start_response: StartResponse) -> list[bytes]:
    start_response("400 Bad Request", [("Content-Type", "text/xml")])
    return [THROTTLED]


@contextmanager
def flaky_emulator(
    failures: int, fail: Callable[[StartResponse], list[bytes]] = crash
) -> Iterator[FlakyEmulator]:
    app = FlakyEmulator(fail, failures)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    app.url = f"http://127.0.0.1:{server.server_port}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield app
    finally:
        server.shutdown()
        thread.join()
        server.server_close()


def settings(url: str, max_retries: int | None) -> ProviderSettings:
    return ProviderSettings(
        region="us-east-1",
        endpoints={"iam": url, "sts": url},
        access_key="testing",
        secret_key="testing",
        max_retries=max_retries,
    )


def test_the_500_page_of_a_crashing_emulator_is_retried() -> None:
    with flaky_emulator(failures=2) as emulator:
        session = open_session(settings(emulator.url, max_retries=2))
    assert session.identity is not None and session.identity.account_id == ACCOUNT
    assert emulator.requests == ["POST /"] * 3


def test_unset_max_retries_still_retries_a_500_page() -> None:
    with flaky_emulator(failures=1) as emulator:
        session = open_session(settings(emulator.url, max_retries=None))
    assert session.identity is not None and session.identity.account_id == ACCOUNT
    assert len(emulator.requests) == 2


def test_exhausted_retries_end_in_a_clear_error() -> None:
    with flaky_emulator(failures=NEVER) as emulator, pytest.raises(SettingsError) as info:
        open_session(settings(emulator.url, max_retries=1))
    assert len(emulator.requests) == 2
    assert info.value.summary == "Invalid provider configuration"
    assert "retrieving caller identity from STS" in info.value.detail
    assert "(500)" in info.value.detail and "reached max retries: 1" in info.value.detail
    assert "Internal Server Error" in info.value.detail
    assert "ResponseParserError" not in info.value.detail


def test_max_retries_zero_makes_one_attempt_even_for_a_500_page() -> None:
    with (
        flaky_emulator(failures=NEVER) as emulator,
        pytest.raises(SettingsError, match=r"\(500\)"),
    ):
        open_session(settings(emulator.url, max_retries=0))
    assert len(emulator.requests) == 1


def test_throttling_is_retried() -> None:
    with flaky_emulator(failures=1, fail=throttle) as emulator:
        session = open_session(settings(emulator.url, max_retries=1))
    assert session.identity is not None and session.identity.account_id == ACCOUNT
    assert len(emulator.requests) == 2


def test_bootstrap_clients_retry_a_500_page_too() -> None:
    with flaky_emulator(failures=1) as emulator:
        sts = account_client("sts", emulator.url, "us-east-1", ACCOUNT)
        assert sts.get_caller_identity()["Account"] == ACCOUNT
    assert len(emulator.requests) == 2

"""Connection-level failures read like the Go SDK's errors, as hashicorp/aws prints them.

Real botocore clients, built as the stand-in provider builds them, talk to loopback listeners
that misbehave in one way each: none at all, one that closes or resets the connection after
reading the request, one that cuts its answer short and one that never answers.
"""

from __future__ import annotations

import re
import socket
import struct
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import boto3
import pytest
from botocore.config import Config

from orgtf.sandbox.provider.errors import AwsError, describe
from orgtf.sandbox.provider.send_errors import track_failed_calls
from orgtf.sandbox.provider.session import AwsSession, open_session
from orgtf.sandbox.provider.settings import ProviderSettings, SettingsError
from tests.support.provider import free_port

SEND_FAILED = "https response error StatusCode: 0, RequestID: , request send failed"


def session(url: str, max_retries: int, validate: bool = False) -> AwsSession:
    return open_session(
        ProviderSettings(
            region="us-east-1",
            endpoints={"iam": url, "sts": url},
            access_key="testing",
            secret_key="testing",
            skip_credentials_validation=not validate,
            skip_requesting_account_id=not validate,
            max_retries=max_retries,
        )
    )


def read_request(conn: socket.socket) -> None:
    """Read one whole HTTP request, so the client is waiting for the answer."""
    data = b""
    while b"\r\n\r\n" not in data:
        data += receive(conn)
    head, _, body = data.partition(b"\r\n\r\n")
    declared = re.search(rb"(?im)^content-length:\s*(\d+)", head)
    while len(body) < (int(declared.group(1)) if declared else 0):
        body += receive(conn)


def receive(conn: socket.socket) -> bytes:
    chunk = conn.recv(65536)
    if not chunk:
        raise ConnectionError("the client went away")
    return chunk


def close(conn: socket.socket) -> None:
    conn.close()


def reset(conn: socket.socket) -> None:
    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    conn.close()


def truncate(conn: socket.socket) -> None:
    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nContent-Length: 400\r\n\r\n<Get")
    conn.close()


@contextmanager
def misbehaving(answer: Callable[[socket.socket], None] | None) -> Iterator[str]:
    """A loopback listener that reads each request, then calls ``answer`` (None: holds on)."""
    listener = socket.create_server(("127.0.0.1", 0))
    held: list[socket.socket] = []

    def serve() -> None:
        while True:
            try:
                conn, _ = listener.accept()
                read_request(conn)
            except OSError:
                return
            if answer is None:
                held.append(conn)
            else:
                answer(conn)

    threading.Thread(target=serve, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        listener.shutdown(socket.SHUT_RDWR)
        listener.close()
        for conn in held:
            conn.close()


def get_role_error(iam: object) -> str:
    with pytest.raises(AwsError) as info:
        iam.get_role(RoleName="app")  # type: ignore[attr-defined]
    return describe(info.value)


def test_nothing_listening_is_connection_refused_after_every_attempt() -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    assert get_role_error(session(url, max_retries=1).iam) == (
        f"operation error IAM: GetRole, exceeded maximum number of attempts, 2, {SEND_FAILED}, "
        f'Post "{url}/": dial tcp 127.0.0.1:{port}: connect: connection refused'
    )


def test_configuring_without_an_emulator_says_connection_refused() -> None:
    port = free_port()
    with pytest.raises(SettingsError) as info:
        session(f"http://127.0.0.1:{port}", max_retries=0, validate=True)
    assert info.value.detail == (
        "validating provider credentials: retrieving caller identity from STS: "
        "operation error STS: GetCallerIdentity, exceeded maximum number of attempts, 1, "
        f'{SEND_FAILED}, Post "http://127.0.0.1:{port}/": '
        f"dial tcp 127.0.0.1:{port}: connect: connection refused"
    )


@pytest.mark.parametrize(
    ("answer", "cause"),
    [
        (close, "EOF"),
        (reset, "read tcp {address}: read: connection reset by peer"),
    ],
)
def test_a_connection_lost_before_the_answer_is_a_send_failure(
    answer: Callable[[socket.socket], None], cause: str
) -> None:
    with misbehaving(answer) as url:
        error = get_role_error(session(url, max_retries=0).iam)
    address = url.removeprefix("http://")
    assert error == (
        f"operation error IAM: GetRole, exceeded maximum number of attempts, 1, {SEND_FAILED}, "
        f'Post "{url}/": {cause.format(address=address)}'
    )


def test_an_answer_cut_short_is_an_unexpected_eof_not_a_parser_error() -> None:
    with misbehaving(truncate) as url:
        error = get_role_error(session(url, max_retries=0).iam)
    assert error == (
        "operation error IAM: GetRole, https response error StatusCode: 200, RequestID: , "
        "deserialization failed, failed to decode response body, unexpected EOF"
    )


def test_no_answer_in_time_is_a_timeout() -> None:
    with misbehaving(None) as url:
        config = Config(read_timeout=0.5, retries={"total_max_attempts": 1, "mode": "standard"})
        iam = boto3.client(
            "iam",
            endpoint_url=url,
            region_name="us-east-1",
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
            config=config,
        )
        error = get_role_error(track_failed_calls(iam, max_attempts=1))
    assert error == (
        f"operation error IAM: GetRole, exceeded maximum number of attempts, 1, {SEND_FAILED}, "
        f'Post "{url}/": net/http: timeout awaiting response headers'
    )

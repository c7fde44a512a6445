"""The emulator going away in the middle of an apply, through real Terraform 1.0.3.

A relay on a loopback port stands in for the emulator: it forwards to moto until a request for
a chosen IAM action starts to arrive, then stops listening and drops every connection, so the
request is lost and the retries find nothing listening ("connection refused"). Started again on
the same port, it is the emulator coming back. The provider must report the outage as a
connection error, record what it created, and a second apply must converge.
"""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.support.provider import InitializedMirror, MotoServer, Terraform, provider_block

pytestmark = pytest.mark.sandbox

TRUST = (
    '{"Version":"2012-10-17","Statement":[{"Effect":"Allow",'
    '"Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}'
)


class EmulatorRelay:
    """Forwards loopback TCP connections to ``upstream`` until stopped; can start again."""

    def __init__(self, upstream: tuple[str, int]) -> None:
        self.upstream = upstream
        self.port = 0
        self.stopped = threading.Event()
        self._trigger = b""
        self._lock = threading.Lock()
        self._listener: socket.socket | None = None
        self._sockets: set[socket.socket] = set()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        """Listen (on the same port as before, if any) and forward; forget any trigger."""
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen()
        self.port = int(listener.getsockname()[1])
        with self._lock:
            self._trigger, self._listener = b"", listener
        self.stopped.clear()
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def stop_on(self, action: str) -> None:
        """Stop as soon as a request for IAM ``action`` arrives, without forwarding it."""
        with self._lock:
            self._trigger = f"Action={action}&".encode()

    def stop(self) -> None:
        """Stop listening and cut every connection: the emulator is gone."""
        with self._lock:
            listener, self._listener = self._listener, None
            sockets, self._sockets = self._sockets, set()
        for sock in [*([listener] if listener else []), *sockets]:
            _close(sock)
        self.stopped.set()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
                upstream = socket.create_connection(self.upstream)
            except OSError:
                return
            with self._lock:
                self._sockets.update((client, upstream))
            threading.Thread(target=self._pump, args=(client, upstream, True), daemon=True).start()
            threading.Thread(target=self._pump, args=(upstream, client, False), daemon=True).start()

    def _pump(self, source: socket.socket, target: socket.socket, inspect: bool) -> None:
        tail = b""
        while True:
            try:
                chunk = source.recv(65536)
            except OSError:
                chunk = b""
            with self._lock:
                trigger = self._trigger if inspect else b""
            if trigger and trigger in tail + chunk:
                self.stop()
                return
            try:
                if not chunk:
                    target.shutdown(socket.SHUT_WR)
                    return
                target.sendall(chunk)
            except OSError:
                return
            tail = (tail + chunk)[-len(trigger) :] if trigger else b""


def _close(sock: socket.socket) -> None:
    with suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)
    sock.close()


@contextmanager
def emulator_relay(moto: MotoServer) -> Iterator[EmulatorRelay]:
    parts = urlsplit(moto.url)
    relay = EmulatorRelay((str(parts.hostname), int(parts.port or 80)))
    relay.start()
    try:
        yield relay
    finally:
        relay.stop()


def role_config(url: str, name: str, revision: str = "one") -> str:
    return provider(url) + (
        f'resource "aws_iam_role" "app" {{\n  name = "{name}"\n  description = "{revision}"\n'
        f"  assume_role_policy = {json.dumps(TRUST)}\n}}\n"
    )


def user_config(url: str, name: str, revision: str = "one") -> str:
    return provider(url) + (
        f'resource "aws_iam_user" "app" {{\n  name = "{name}"\n'
        f'  tags = {{ Revision = "{revision}" }}\n}}\n'
    )


def provider(url: str) -> str:
    # One retry: the first attempt loses its connection, the second finds nothing listening.
    return provider_block(url, "  max_retries = 1\n")


def refused(action: str, relay: EmulatorRelay) -> str:
    """The error aws-sdk-go-v2 gives when nothing listens on the relay's port."""
    return (
        f"operation error IAM: {action}, exceeded maximum number of attempts, 2, "
        "https response error StatusCode: 0, RequestID: , request send failed, "
        f'Post "{relay.url}/": dial tcp 127.0.0.1:{relay.port}: connect: connection refused'
    )


def apply(terraform: Terraform, ok: tuple[int, ...] = (0,)) -> str:
    return terraform.run("apply", "-auto-approve", "-input=false", "-no-color", ok=ok).output


def recorded(terraform: Terraform) -> list[dict[str, Any]]:
    """The attribute values of every resource in the state."""
    state = terraform.state().get("values", {}).get("root_module", {})
    return [r["values"] for r in state.get("resources", [])]


def assert_clean_plan(terraform: Terraform) -> None:
    terraform.run("plan", "-detailed-exitcode", "-input=false", "-no-color")


@pytest.mark.parametrize(
    ("action", "failure", "kept"),
    [
        # The create request is lost: nothing exists, nothing is recorded.
        ("CreateRole", "creating IAM Role ({name})", False),
        # The role exists, reading it back fails: it is recorded (tainted) to be replaced.
        ("GetRole", "reading IAM Role ({name})", True),
    ],
)
def test_outage_during_a_create_is_a_connection_error_and_a_rerun_converges(
    moto: MotoServer, mirror: InitializedMirror, action: str, failure: str, kept: bool
) -> None:
    name = f"outage-{action.lower()}"
    with emulator_relay(moto) as relay:
        terraform = mirror.workspace(name, role_config(relay.url, name), {})
        relay.stop_on(action)

        output = apply(terraform, ok=(1,))

        assert relay.stopped.is_set()
        assert f"Error: {failure.format(name=name)}: {refused(action, relay)}" in output
        assert "invalid result object" not in output
        assert [values["id"] for values in recorded(terraform)] == ([name] if kept else [])

        relay.start()
        assert ("is tainted, so must be replaced" in apply(terraform)) == kept
        assert_clean_plan(terraform)


@pytest.mark.parametrize(
    ("config", "renamed", "action", "failure"),
    [
        # The description is changed in place; UpdateRole is lost.
        (role_config, False, "UpdateRole", "updating IAM Role ({name})"),
        # The user is renamed, then its tags are changed; TagUser is lost.
        (user_config, True, "TagUser", "updating IAM User ({name})"),
    ],
)
def test_outage_during_an_update_keeps_the_prior_state_and_a_rerun_converges(
    moto: MotoServer,
    mirror: InitializedMirror,
    config: Callable[[str, str, str], str],
    renamed: bool,
    action: str,
    failure: str,
) -> None:
    old = f"outage-{action.lower()}"
    new = f"{old}-renamed" if renamed else old
    with emulator_relay(moto) as relay:
        terraform = mirror.workspace(old, config(relay.url, old, "one"), {})
        apply(terraform)
        terraform.write(config(relay.url, new, "two"))
        relay.stop_on(action)

        output = apply(terraform, ok=(1,))

        assert f"Error: {failure.format(name=new)}: {refused(action, relay)}" in output
        assert "invalid result object" not in output
        [values] = recorded(terraform)
        # The prior state, but under the new name once the rename has happened.
        assert (values["id"], values.get("description") or values["tags"]["Revision"]) == (
            new,
            "one",
        )

        relay.start()
        apply(terraform)
        assert_clean_plan(terraform)

"""The emulator lets one request at a time into moto; its health check never queues.

moto's backends are plain dicts walked without locks, so two requests inside moto at once can
crash one of them (see ``orgtf.sandbox.emulator_server``). These tests drive ``OneAtATime``
with small WSGI apps in-process and look at whether a request is inside at each step.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator
from wsgiref.types import StartResponse, WSGIApplication, WSGIEnvironment

import pytest

from orgtf.sandbox.emulator_server import HEALTH_PATH, OneAtATime


def environ(path: str = "/", method: str = "POST") -> WSGIEnvironment:
    return {"REQUEST_METHOD": method, "PATH_INFO": path}


def ignore_start(status: str, headers: list[tuple[str, str]], exc_info: object = None) -> None:
    return None


def call(app: WSGIApplication, env: WSGIEnvironment) -> list[bytes]:
    return list(app(env, ignore_start))  # type: ignore[arg-type]


class Recorder:
    """A WSGI app that notes whether ``gate`` was busy while it ran and while its body was read."""

    def __init__(self) -> None:
        self.gate: OneAtATime | None = None
        self.seen: list[tuple[str, bool]] = []
        self.closed = False

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        assert self.gate is not None
        self.seen.append(("call", self.gate.busy))
        start_response("200 OK", [])
        return self.body()

    def body(self) -> Iterator[bytes]:
        assert self.gate is not None
        try:
            self.seen.append(("body", self.gate.busy))
            yield b"ok"
        finally:
            self.closed = True


def gated(app: Recorder) -> OneAtATime:
    app.gate = OneAtATime(app)
    return app.gate


def test_a_request_and_its_whole_body_run_in_its_turn() -> None:
    recorder = Recorder()
    gate = gated(recorder)
    assert call(gate, environ()) == [b"ok"]
    assert recorder.seen == [("call", True), ("body", True)]
    assert recorder.closed
    assert not gate.busy


def test_the_turn_ends_when_moto_raises() -> None:
    def broken(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        raise RuntimeError("dictionary changed size during iteration")

    gate = OneAtATime(broken)
    with pytest.raises(RuntimeError):
        call(gate, environ())
    assert not gate.busy


@pytest.mark.parametrize(
    ("method", "path", "queued"),
    [("GET", HEALTH_PATH, False), ("POST", HEALTH_PATH, True), ("GET", "/moto-api/data", True)],
)
def test_only_the_health_check_skips_the_queue(method: str, path: str, queued: bool) -> None:
    recorder = Recorder()
    call(gated(recorder), environ(path, method))
    assert recorder.seen[0] == ("call", queued)


def test_the_health_check_answers_while_a_request_is_inside() -> None:
    inside, release = threading.Event(), threading.Event()

    def slow(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        if environ["PATH_INFO"] != HEALTH_PATH:
            inside.set()
            assert release.wait(timeout=60)
        start_response("200 OK", [])
        return [environ["PATH_INFO"].encode()]

    gate = OneAtATime(slow)
    worker = threading.Thread(target=call, args=(gate, environ("/slow")))
    worker.start()
    try:
        assert inside.wait(timeout=60)
        assert gate.busy
        assert call(gate, environ(HEALTH_PATH, "GET")) == [HEALTH_PATH.encode()]
    finally:
        release.set()
        worker.join()
    assert not gate.busy

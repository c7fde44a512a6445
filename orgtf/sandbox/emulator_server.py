"""Inside the emulator process: moto's app on werkzeug's threaded server, one request at a time.

moto keeps every account's resources in plain dicts and walks them without a lock. For example
``IAMBackend.get_role`` loops over ``self.roles.values()``, and every request signed with
assumed-role credentials reaches ``get_role_by_arn`` through ``mark_account_as_visited``.
moto's own server (``moto.server.main``) runs werkzeug with a thread per connection. So while
Terraform creates roles in parallel, one request can add to a dict that another is iterating.
The ``RuntimeError: dictionary changed size during iteration`` that follows reaches the client
as werkzeug's HTML ``500 Internal Server Error``.

``OneAtATime`` therefore lets one request at a time into moto, which is what moto's in-process
mocks assume. Little is lost: moto's work is pure Python and holds the GIL anyway, and
connections are still accepted and answered in their own threads. The health check reads no
backend, so it skips the queue: a busy emulator still answers it promptly.

With ``--iam on`` (the default) moto's AssumeRole is wrapped so that it checks IAM first (see
``iam_enforcement``); ``--iam off`` serves moto as it is.

Only the stdlib is imported at module level; moto and werkzeug are imported when serving.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
from collections.abc import Iterable
from types import FrameType
from wsgiref.types import StartResponse, WSGIApplication, WSGIEnvironment

HEALTH_PATH = "/moto-api/config"


class OneAtATime:
    """A WSGI app that runs ``app`` for one request at a time; the health check skips the queue.

    The whole response is produced inside the turn, because a WSGI app may build its body
    lazily, while it is being iterated.
    """

    def __init__(self, app: WSGIApplication) -> None:
        self._app = app
        self._turn = threading.Lock()

    @property
    def busy(self) -> bool:
        """Whether a request is inside ``app`` right now."""
        return self._turn.locked()

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        if is_health_check(environ):
            return self._app(environ, start_response)
        with self._turn:
            return _produce(self._app(environ, start_response))


def is_health_check(environ: WSGIEnvironment) -> bool:
    """Whether the request is orgtf's health check, ``GET HEALTH_PATH``."""
    return environ.get("REQUEST_METHOD") == "GET" and environ.get("PATH_INFO") == HEALTH_PATH


def serve(argv: list[str]) -> None:
    """Serve moto on ``-H HOST -p PORT`` until SIGTERM, as ``moto.server.main`` does, serially.

    ``--iam on|off``: whether sts:AssumeRole is checked against IAM (default on).
    """
    parser = argparse.ArgumentParser(prog="python -m orgtf.sandbox.emulator")
    parser.add_argument("-H", "--host", required=True)
    parser.add_argument("-p", "--port", type=int, required=True)
    parser.add_argument("--iam", choices=("on", "off"), default="on")
    args = parser.parse_args(argv)
    # As moto.server.main does: moto builds some of the URLs it returns from MOTO_PORT. This is
    # the emulator's own process, before any thread starts.
    os.environ["MOTO_PORT"] = str(args.port)
    from moto.moto_server.werkzeug_app import (
        DomainDispatcherApplication,
        MotoRequestHandler,
        create_backend_app,
    )
    from werkzeug.serving import run_simple

    _limit_iam_lookups_to_aws_partition()
    if args.iam == "on":
        from orgtf.sandbox.iam_enforcement import enforce_assume_role

        enforce_assume_role()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, _exit)
    app = OneAtATime(DomainDispatcherApplication(create_backend_app))
    run_simple(args.host, args.port, app, threaded=True, request_handler=MotoRequestHandler)


def _produce(chunks: Iterable[bytes]) -> list[bytes]:
    """The whole body of a response, then ``close()`` on it as WSGI requires."""
    try:
        return list(chunks)
    finally:
        close = getattr(chunks, "close", None)
        if close is not None:
            close()


def _limit_iam_lookups_to_aws_partition() -> None:
    """Look up access keys in the ``aws`` partition only.

    moto maps a request's access key to its account by looking in every account's IAM backend
    in every partition, and it creates any backend that is missing. With AWS managed policies
    loaded, each new backend costs about 0.2s, so the first request with assumed-role
    credentials took ~8s for a 5-account org. Sandbox ARNs are all ``arn:aws:``, so the lookup
    only needs the ``aws`` partition.
    """
    from moto.iam import models as iam_models

    iam_models.PARTITION_NAMES = ["aws"]  # type: ignore[attr-defined]  # read per lookup


def _exit(signum: int, frame: FrameType | None) -> None:
    sys.exit(0)

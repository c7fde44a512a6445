"""What every boto3 client aimed at the sandbox emulator gets: no proxies and a last check.

- ``client_config``: a botocore Config with ``proxies={}``. botocore only reads ``HTTP_PROXY``
  and friends from the environment when ``proxies`` is None, so an empty dict keeps sandbox
  traffic (operator keys included) away from any proxy the user's shell names.
- ``guard_client``: a ``before-send`` hook that re-checks the final request URL, after every
  endpoint rule and customisation has run, and refuses to send it anywhere but loopback.
"""

from __future__ import annotations

from typing import Any

import botocore.config
from botocore.exceptions import BotoCoreError

from orgtf.sandbox.loopback import request_host_error


class NonLoopbackRequestError(BotoCoreError):
    """A request that was about to leave loopback; it was not sent."""

    fmt = "Refusing to send a sandbox request off loopback: {reason}"


def client_config(**settings: Any) -> botocore.config.Config:
    """A botocore Config with ``settings`` that never uses a proxy."""
    return botocore.config.Config(proxies={}, **settings)


def guard_client(client: Any) -> Any:
    """Register the loopback check on ``client``'s ``before-send`` event; return the client."""
    client.meta.events.register("before-send", _refuse_off_loopback)
    return client


def _refuse_off_loopback(request: Any, **_: Any) -> None:
    reason = request_host_error(str(request.url))
    if reason is not None:
        raise NonLoopbackRequestError(reason=reason)

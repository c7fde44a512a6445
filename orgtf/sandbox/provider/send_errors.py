"""Connection-level failures worded as aws-sdk-go-v2 words them, so as hashicorp/aws prints them.

When a request cannot be sent or gets no answer (nothing listening, the connection reset or
closed, a timeout), botocore raises ``EndpointConnectionError``, ``ConnectTimeoutError``,
``ConnectionClosedError`` or ``ReadTimeoutError`` once its retries are spent. The real provider
shows the Go SDK's error for the same failure::

    operation error IAM: CreateRole, exceeded maximum number of attempts, 5, https response
    error StatusCode: 0, RequestID: , request send failed, Post "http://127.0.0.1:5000/":
    dial tcp 127.0.0.1:5000: connect: connection refused

The exception names neither the operation nor the attempts, so ``track_failed_calls`` hooks
botocore's ``after-call-error`` event and records both on the exception as it goes by.

An answer cut short, because the emulator died while sending it, is a closed connection too.
botocore does not check a body against its ``Content-Length``, though: it parses the stub and
raises ``ResponseParserError``, which is no ``BotoCoreError``. ``track_failed_calls`` therefore
also raises ``TruncatedResponseError`` for such an answer before it is parsed. As in the Go SDK
(``deserialization failed, failed to decode response body, unexpected EOF``), it is not retried.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import botocore.exceptions as bce

SendError = (bce.ConnectionError, bce.HTTPClientError)
_CALL_ATTRIBUTE = "orgtf_failed_call"


@dataclass(frozen=True)
class FailedCall:
    """The API call an exception ended: ``IAM``/``CreateRole``, after ``attempts`` tries."""

    service: str
    operation: str
    attempts: int
    max_attempts: int


class TruncatedResponseError(bce.ConnectionClosedError):
    """The connection closed before the whole answer arrived."""

    fmt = (
        "Connection was closed after {received} of {expected} bytes of an HTTP {status_code} "
        'answer from endpoint URL: "{endpoint_url}".'
    )


def track_failed_calls(client: Any, max_attempts: int) -> Any:
    """Record a :class:`FailedCall` on each exception a call of ``client`` raises; return it.

    Also make an answer shorter than its ``Content-Length`` a :class:`TruncatedResponseError`.
    """
    service = str(client.meta.service_model.service_id)
    url = str(client.meta.endpoint_url).rstrip("/") + "/"

    def refuse_truncated(response_dict: dict[str, Any], **_: Any) -> None:
        body, status = response_dict.get("body"), int(response_dict["status_code"])
        expected = str(response_dict["headers"].get("content-length", ""))
        # 5xx answers are client_retries' business: it may empty their body on purpose.
        if status >= 500 or not isinstance(body, bytes) or not expected.isdigit():
            return
        if len(body) < int(expected):
            raise TruncatedResponseError(
                endpoint_url=url, status_code=status, received=len(body), expected=int(expected)
            )

    def record(
        exception: BaseException, context: dict[str, Any], event_name: str, **_: Any
    ) -> None:
        attempts = int(context.get("retries", {}).get("attempt", 1))
        operation = event_name.rsplit(".", 1)[-1]
        setattr(exception, _CALL_ATTRIBUTE, FailedCall(service, operation, attempts, max_attempts))

    client.meta.events.register("before-parse", refuse_truncated)
    client.meta.events.register("after-call-error", record)
    return client


def is_send_error(exc: BaseException) -> bool:
    """Whether ``exc`` is a failure to send a request or to get its answer."""
    return isinstance(exc, SendError)


def send_error_text(exc: BaseException) -> str:
    """``exc`` in the Go SDK's words (see the module docstring)."""
    details = getattr(exc, "kwargs", {})
    if isinstance(exc, TruncatedResponseError):
        return (
            f"{_operation(exc)}https response error StatusCode: {details['status_code']}, "
            "RequestID: , deserialization failed, failed to decode response body, unexpected EOF"
        )
    url = str(details.get("endpoint_url", ""))
    method = str(getattr(getattr(exc, "request", None), "method", None) or "POST")
    return (
        f"{_operation(exc)}{_attempts(exc)}https response error StatusCode: 0, RequestID: , "
        f'request send failed, {method[:1]}{method[1:].lower()} "{url}": {_go_error(exc, url)}'
    )


def _operation(exc: BaseException) -> str:
    call = getattr(exc, _CALL_ATTRIBUTE, None)
    return f"operation error {call.service}: {call.operation}, " if call else ""


def _attempts(exc: BaseException) -> str:
    call = getattr(exc, _CALL_ATTRIBUTE, None)
    if not isinstance(call, FailedCall):
        return ""
    if call.attempts >= call.max_attempts:
        return f"exceeded maximum number of attempts, {call.attempts}, "
    # These errors are all retried, so fewer attempts means botocore's retry quota ran out.
    return f"retry quota exceeded, {call.attempts} of {call.max_attempts} attempts made, "


def _go_error(exc: BaseException, url: str) -> str:
    """What Go's net/http says for the same failure (the part after the URL)."""
    address = urlsplit(url).netloc
    if isinstance(exc, bce.ConnectTimeoutError):
        return f"dial tcp {address}: i/o timeout"
    if isinstance(exc, bce.ReadTimeoutError):
        return "net/http: timeout awaiting response headers"
    reason = _os_reason(getattr(exc, "kwargs", {}).get("error"))
    if isinstance(exc, bce.EndpointConnectionError):
        return f"dial tcp {address}: connect: {reason or 'connection refused'}"
    if isinstance(exc, bce.ConnectionClosedError):
        # Closed without an answer is Go's EOF; a reset or a broken pipe is a read error.
        return f"read tcp {address}: read: {reason}" if reason else "EOF"
    return str(exc)


def _os_reason(error: object) -> str | None:
    """The OS error deepest in ``error``'s chain, as Go spells it ("connection refused")."""
    seen: set[int] = set()
    while isinstance(error, BaseException) and id(error) not in seen:
        seen.add(id(error))
        if isinstance(error, OSError) and error.errno:
            return os.strerror(error.errno).lower()
        nested = [a for a in error.args if isinstance(a, BaseException)]
        error = error.__cause__ or error.__context__ or (nested[-1] if nested else None)
    return None

"""Emulator errors as Terraform diagnostics, worded like the real provider's.

An API error reads ``Code: message``; a connection-level failure (nothing listening, a reset
or closed connection, a timeout) reads as the Go SDK's ``operation error IAM: CreateRole, ...
connect: connection refused`` (see ``send_errors``).
"""

from __future__ import annotations

from typing import Any

import botocore.exceptions

from orgtf.sandbox.provider.send_errors import is_send_error, send_error_text

AwsError = (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError)
_NOT_FOUND = frozenset({"NoSuchEntity", "NoSuchEntityException", "NotFound"})


def is_not_found(exc: BaseException) -> bool:
    """Whether ``exc`` is the emulator saying the object does not exist."""
    return isinstance(exc, botocore.exceptions.ClientError) and error_code(exc) in _NOT_FOUND


def error_code(exc: botocore.exceptions.ClientError) -> str:
    """The AWS error code of a client error ("" when absent)."""
    return str(exc.response.get("Error", {}).get("Code", ""))


def describe(exc: BaseException) -> str:
    """``Code: message`` for client errors, the Go SDK's text for send errors, else the text."""
    if isinstance(exc, botocore.exceptions.ClientError):
        message = exc.response.get("Error", {}).get("Message", "")
        return f"{error_code(exc)}: {message}"
    return send_text_or_str(exc)


def send_text_or_str(exc: BaseException) -> str:
    """The Go SDK's text for a send error; ``str(exc)`` for anything else."""
    return send_error_text(exc) if is_send_error(exc) else str(exc)


def add_error(diagnostics: Any, action: str, exc: BaseException) -> None:
    """Add ``<action>: <Code>: <message>`` like ``creating IAM Role (Foo): EntityAlreadyExists``."""
    diagnostics.add_error(f"{action}: {describe(exc)}")

"""Emulator errors as Terraform diagnostics, worded like the real provider's."""

from __future__ import annotations

from typing import Any

import botocore.exceptions

AwsError = (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError)
_NOT_FOUND = frozenset({"NoSuchEntity", "NoSuchEntityException", "NotFound"})


def is_not_found(exc: BaseException) -> bool:
    """Whether ``exc`` is the emulator saying the object does not exist."""
    return isinstance(exc, botocore.exceptions.ClientError) and error_code(exc) in _NOT_FOUND


def error_code(exc: botocore.exceptions.ClientError) -> str:
    """The AWS error code of a client error ("" when absent)."""
    return str(exc.response.get("Error", {}).get("Code", ""))


def describe(exc: BaseException) -> str:
    """``Code: message`` for client errors, the text otherwise."""
    if isinstance(exc, botocore.exceptions.ClientError):
        message = exc.response.get("Error", {}).get("Message", "")
        return f"{error_code(exc)}: {message}"
    return str(exc)


def add_error(diagnostics: Any, action: str, exc: BaseException) -> None:
    """Add ``<action>: <Code>: <message>`` like ``creating IAM Role (Foo): EntityAlreadyExists``."""
    diagnostics.add_error(f"{action}: {describe(exc)}")

"""Every 5xx answer can be retried, whatever its body says, as in hashicorp/aws.

botocore's standard retry mode retries HTTP 500, 502, 503 and 504 and throttling errors, as the
Go SDK behind hashicorp/aws does. It decides only after the answer is parsed, though, and for
the query protocol (IAM, STS) the parser raises ``ResponseParserError`` on an error body that
is not XML. That exception escapes the retry loop. An HTML error page is such a body: werkzeug
answers with one when moto fails. botocore only reads a 5xx as a plain HTTP error when its body
is empty or starts with ``<html>``; werkzeug's page starts with ``<!doctype html>``.

``retry_server_errors`` registers a ``before-parse`` hook that empties a query-protocol 5xx
body that is not well-formed XML. botocore then reads it as the generic error
``(500) Internal Server Error`` and retries it like any other 5xx. The other protocols' parsers
already fall back to the status code on their own.
"""

from __future__ import annotations

from typing import Any
from xml.etree import ElementTree

_XML_ERROR_PROTOCOLS = frozenset({"query", "ec2"})


def retry_server_errors(client: Any) -> Any:
    """Make every 5xx answer to ``client`` retryable; return the client."""
    client.meta.events.register("before-parse", _plain_server_error)
    return client


def _plain_server_error(operation_model: Any, response_dict: dict[str, Any], **_: Any) -> None:
    if response_dict["status_code"] < 500:
        return
    if operation_model.service_model.resolved_protocol not in _XML_ERROR_PROTOCOLS:
        return
    if not _is_xml(response_dict["body"]):
        response_dict["body"] = b""


def _is_xml(body: object) -> bool:
    if not isinstance(body, bytes):
        return True  # a stream: not ours to read here
    try:
        ElementTree.fromstring(body)
    except ElementTree.ParseError:
        return False
    return True

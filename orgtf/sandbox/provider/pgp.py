"""Encrypting a value to an OpenPGP public key, as the real provider's ``encryptValue`` does.

The key is the base64 of a binary (not ASCII-armoured) public key, such as ``gpg --export KEY |
base64``. The result is the key's fingerprint in lower-case hex and the base64 of a binary
OpenPGP message that ``base64 -d | gpg --decrypt`` reads. A ``keybase:`` key is refused: the
real provider fetches it from keybase.io, which the sandbox cannot reach.

PGPy is imported only when a value is encrypted, so that reading the provider's schema stays
cheap. It still uses ciphers that newer ``cryptography`` releases deprecate; those warnings
say nothing about what is done here, so they are silenced.
"""

from __future__ import annotations

import base64
import binascii
import warnings
from dataclasses import dataclass
from typing import Any

KEYBASE_PREFIX = "keybase:"


class PgpKeyError(ValueError):
    """The ``pgp_key`` cannot be used; the message reads like the real provider's."""


@dataclass(frozen=True)
class Encrypted:
    """A value encrypted to a public key."""

    fingerprint: str
    ciphertext_b64: str


def keybase_refusal(pgp_key: str) -> str | None:
    """Why ``pgp_key`` cannot be used in the sandbox, or None when it can be tried."""
    if not pgp_key.startswith(KEYBASE_PREFIX):
        return None
    return (
        f"retrieving Public Key for {pgp_key}: the sandbox stand-in cannot reach keybase.io; "
        "set pgp_key to a base64-encoded binary public key instead "
        '(for example filebase64("key.gpg") of `gpg --export KEY`)'
    )


def encrypt_value(pgp_key: str, value: str, description: str) -> Encrypted:
    """Encrypt ``value`` to the base64 public key ``pgp_key``; PgpKeyError if it is unusable."""
    refusal = keybase_refusal(pgp_key)
    if refusal is not None:
        raise PgpKeyError(refusal)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            key = _public_key(_decode(pgp_key))
            message = _pgpy().PGPMessage.new(value, compression=_uncompressed())
            ciphertext = bytes(key.encrypt(message))
        except Exception as exc:  # ours, or one of the several types PGPy raises
            raise PgpKeyError(f"Error encrypting {description}: {exc}") from exc
    fingerprint = str(key.fingerprint).replace(" ", "").lower()
    return Encrypted(fingerprint, base64.b64encode(ciphertext).decode("ascii"))


def _decode(pgp_key: str) -> bytes:
    # Go's base64.StdEncoding, which the real provider uses, skips line breaks.
    text = pgp_key.replace("\r", "").replace("\n", "")
    try:
        return base64.b64decode(text, validate=True)
    except binascii.Error as exc:
        raise PgpKeyError(f"decoding given PGP key: {exc}") from exc


def _public_key(data: bytes) -> Any:
    # The real provider reads binary packets only: an armoured key fails there, so here too.
    if not data or not data[0] & 0x80:
        raise PgpKeyError(
            "parsing given PGP key: openpgp: invalid data: tag byte does not have MSB set"
        )
    try:
        key, _ = _pgpy().PGPKey.from_blob(data)
    except Exception as exc:  # PGPy raises several types for malformed packets
        raise PgpKeyError(f"parsing given PGP key: {exc}") from exc
    return key if key.is_public else key.pubkey


def _pgpy() -> Any:
    import pgpy  # type: ignore[import-untyped]

    return pgpy


def _uncompressed() -> Any:
    from pgpy.constants import CompressionAlgorithm  # type: ignore[import-untyped]

    return CompressionAlgorithm.Uncompressed

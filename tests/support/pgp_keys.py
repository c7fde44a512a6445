"""OpenPGP keys for tests of console passwords: made with PGPy, the stand-in provider's library.

``gpg --export KEY | base64 -w0`` is what a user puts in ``users.<name>.pgp_key``; here the
key is made in memory and its public half exported the same way (binary packets, base64).
"""

from __future__ import annotations

import base64
import warnings
from typing import Any

import pgpy  # type: ignore[import-untyped]
from pgpy.constants import (  # type: ignore[import-untyped]
    CompressionAlgorithm,
    HashAlgorithm,
    KeyFlags,
    PubKeyAlgorithm,
    SymmetricKeyAlgorithm,
)


def new_key(name: str = "Test User") -> Any:
    """A new RSA key pair that can encrypt, with one user id."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # PGPy's use of ciphers newer cryptography deprecates
        key = pgpy.PGPKey.new(PubKeyAlgorithm.RSAEncryptOrSign, 2048)
        key.add_uid(
            pgpy.PGPUID.new(name, email="test@example.com"),
            usage={KeyFlags.Sign, KeyFlags.EncryptCommunications, KeyFlags.EncryptStorage},
            hashes=[HashAlgorithm.SHA256],
            ciphers=[SymmetricKeyAlgorithm.AES256],
            compression=[CompressionAlgorithm.Uncompressed],
        )
    return key


def public_key_b64(key: Any) -> str:
    """The public key as ``gpg --export KEY | base64 -w0`` gives it."""
    return base64.b64encode(bytes(key.pubkey)).decode("ascii")


def secret_key_b64(key: Any) -> str:
    """The secret key, base64 of its binary packets (what must never go into org.yaml)."""
    return base64.b64encode(bytes(key)).decode("ascii")


def fingerprint(key: Any) -> str:
    """The key's fingerprint in lower-case hex without spaces, as the provider reports it."""
    return str(key.fingerprint).replace(" ", "").lower()


def decrypt(key: Any, encrypted_b64: str) -> str:
    """What ``base64 -d | gpg --decrypt`` gives for ``encrypted_b64`` with ``key``."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        message = pgpy.PGPMessage.from_blob(base64.b64decode(encrypted_b64))
        plain = key.decrypt(message).message
    return plain.decode() if isinstance(plain, bytes | bytearray) else str(plain)

"""Console passwords as the real provider generates them for ``aws_iam_user_login_profile``.

Like its ``GeneratePassword``: characters drawn uniformly from lower case, upper case, digits
and ``!@#$%^&*()_+-=[]{}|'``, and a draw that lacks any of the four classes thrown away, so
that the password meets the strictest account password policy's character rules.
"""

from __future__ import annotations

import secrets

LOWER = "abcdefghijklmnopqrstuvwxyz"
UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
DIGITS = "0123456789"
SYMBOLS = "!@#$%^&*()_+-=[]{}|'"
CLASSES = (LOWER, UPPER, DIGITS, SYMBOLS)
_CHARSET = LOWER + UPPER + DIGITS + SYMBOLS
_MAX_DRAWS = 100_000


class PasswordError(RuntimeError):
    """No acceptable password could be drawn."""


def generate_password(length: int) -> str:
    """A random password of ``length`` characters with at least one of each class."""
    for _ in range(_MAX_DRAWS):
        password = "".join(secrets.choice(_CHARSET) for _ in range(length))
        if meets_policy(password):
            return password
    raise PasswordError("failed to generate acceptable password")


def meets_policy(password: str) -> bool:
    """Whether ``password`` holds a lower case letter, a digit, a symbol and an upper case one."""
    return all(any(c in chars for c in password) for chars in CLASSES)

"""orgtf: the users and roles of a multi-account AWS organization, managed with Terraform."""

from __future__ import annotations

from orgtf._version import __version__

__all__ = ["__version__"]

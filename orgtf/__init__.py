"""orgtf: the users and roles of a multi-account AWS organization, managed with Terraform."""

from __future__ import annotations

__version__ = "0.1.0"

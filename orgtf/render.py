"""Render the organization into Terraform roots: ``environments/<account>/`` and ``modules/``.

Each account gets a root of static HCL (from the Jinja2 templates) plus
``orgtf.auto.tfvars.json`` holding its data. Output is deterministic: the same org.yaml gives
byte-identical files. ``write_tree`` syncs a directory with that tree and ``check_tree``
compares one with it; both change only files that carry the generated-file notice, and both
report the Terraform files that orgtf did not render in the directories it renders.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any, Literal

import jinja2

from orgtf.config.organization import Organization
from orgtf.errors import OrgtfError
from orgtf.packaged_modules import holds_packaged_modules, module_names, module_sources
from orgtf.tfvars import GENERATED_NOTICE, TFVARS_NAME, VariableBuilder, tfvars_text

ENVIRONMENTS = PurePosixPath("environments")
MODULES = PurePosixPath("modules")
ROOT_TEMPLATES = ("backend", "main", "outputs", "provider", "variables", "versions")
TF_HEADER = f"# {GENERATED_NOTICE}"
JSON_HEADER = '{\n  "//": ' + json.dumps(GENERATED_NOTICE)
_PACKAGE_DIR = Path(__file__).resolve().parent
# What Terraform (or OpenTofu) reads as code or variables. It skips dotfiles, so does the check.
TERRAFORM_SUFFIXES = (".tf", ".tf.json", ".tofu", ".tofu.json", ".tfvars", ".tfvars.json")
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


@dataclass(frozen=True)
class RenderResult:
    """What ``write_tree`` did, as paths relative to the output directory."""

    written: tuple[PurePosixPath, ...]
    removed: tuple[PurePosixPath, ...]
    unchanged: tuple[PurePosixPath, ...]
    foreign: tuple[StaleFile, ...] = ()  # left alone, but ``check_tree`` reports them


StaleState = Literal["missing", "stale", "extra", "foreign", "orphan"]
_STATE_TEXT: dict[StaleState, str] = {
    "missing": "missing (not rendered yet)",
    "stale": "out of date with org.yaml",
    "extra": "no longer generated from org.yaml",
    "foreign": "not generated by orgtf; remove it or move it out of the rendered tree",
    "orphan": "not generated by orgtf, in the directory of an account not in org.yaml",
}


@dataclass(frozen=True, order=True)
class StaleFile:
    """A file on disk that disagrees with org.yaml; ``account`` is None for modules/."""

    path: PurePosixPath
    account: str | None
    state: StaleState

    def __str__(self) -> str:
        owner = f"account {self.account}" if self.account else "shared modules"
        return f"{self.path} ({owner}): {_STATE_TEXT[self.state]}"


def write_tree(org: Organization, out_dir: Path) -> RenderResult:
    """Write the rendered tree under ``out_dir``, touching only files whose content changes.

    Generated files that are no longer rendered (e.g. of removed accounts) are deleted, and
    so are the directories that this leaves empty. A file orgtf did not generate is never
    overwritten or deleted: finding one where a generated file belongs is an error, and the
    other Terraform files in rendered directories are returned as ``foreign``. Raise
    OrgtfError naming the path when a file cannot be written or removed.
    """
    tree = render_tree(org, out_dir)
    on_disk = {path: _read(out_dir / path) for path in tree}
    _refuse_foreign_files(out_dir, on_disk)
    written, unchanged = [], []
    for path, content in tree.items():
        if on_disk[path] == content:
            unchanged.append(path)
        else:
            with _os_errors("write", out_dir / path):
                _write_atomic(out_dir / path, content)
            written.append(path)
    removed = [path for path in generated_files(out_dir) if path not in tree]
    for path in removed:
        with _os_errors("remove", out_dir / path):
            (out_dir / path).unlink()
    _remove_empty_dirs(out_dir, removed)
    foreign = _foreign_files(out_dir, tree.keys(), set(org.account_names()))
    return RenderResult(tuple(written), tuple(removed), tuple(unchanged), tuple(foreign))


def check_tree(org: Organization, out_dir: Path) -> list[StaleFile]:
    """Files under ``out_dir`` that are missing, differ from org.yaml, are left over, or are
    Terraform files that orgtf did not render in a directory it renders."""
    tree = render_tree(org, out_dir)
    found: list[StaleFile] = []
    for path, content in tree.items():
        current = _read(out_dir / path)
        if current != content:
            found.append(
                StaleFile(path, account_of(path), "missing" if current is None else "stale")
            )
    generated = generated_files(out_dir)
    found.extend(
        StaleFile(path, account_of(path), "extra") for path in generated if path not in tree
    )
    found.extend(_foreign_files(out_dir, {*tree, *generated}, set(org.account_names())))
    return sorted(found)


def _foreign_files(
    out_dir: Path, known: Collection[PurePosixPath], accounts: Collection[str]
) -> list[StaleFile]:
    """Terraform files orgtf did not render under ``environments/<dir>/`` and the packaged
    modules' directories in ``modules/``, except ``known`` ones and the packaged modules.

    Those directories are orgtf's: Terraform would read such a file with the generated ones,
    so a change that is not in org.yaml could slip past review. Terraform's own files (lock
    file, state, ``.terraform/``) are not Terraform code and are not reported.
    """
    packaged = {MODULES / relative for relative, _ in module_sources()}
    found: list[StaleFile] = []
    for directory, account in _rendered_dirs(out_dir):
        state: StaleState = "orphan" if account and account not in accounts else "foreign"
        found.extend(
            StaleFile(path, account, state)
            for path in _terraform_files(out_dir, directory)
            if path not in known and path not in packaged
        )
    return sorted(found)


def _rendered_dirs(out_dir: Path) -> Iterator[tuple[PurePosixPath, str | None]]:
    """Each ``environments/<dir>`` with its account name, and each packaged module's dir."""
    environments = out_dir / ENVIRONMENTS
    if environments.is_dir():
        for entry in sorted(environments.iterdir()):
            if entry.is_dir() and not entry.name.startswith("."):
                yield ENVIRONMENTS / entry.name, entry.name
    for name in module_names():
        yield MODULES / name, None


def generated_files(out_dir: Path) -> list[PurePosixPath]:
    """Files under environments/ and modules/ that carry orgtf's generated-file notice."""
    found: list[PurePosixPath] = []
    for top in (ENVIRONMENTS, MODULES):
        found.extend(
            path
            for path in _walk(out_dir, top)
            if path.name.endswith((".tf", ".json")) and _starts_generated(out_dir / path)
        )
    return found


def _terraform_files(out_dir: Path, top: PurePosixPath) -> Iterator[PurePosixPath]:
    for path in _walk(out_dir, top):
        if path.name.endswith(TERRAFORM_SUFFIXES) and not path.name.startswith("."):
            yield path


def _walk(out_dir: Path, top: PurePosixPath) -> Iterator[PurePosixPath]:
    """Every file under ``out_dir/top``, relative to ``out_dir``, sorted per directory."""
    for directory, subdirs, names in os.walk(out_dir / top):
        # Skip .terraform and other hidden directories: Terraform's, never ours.
        subdirs[:] = sorted(d for d in subdirs if not d.startswith("."))
        base = PurePosixPath(Path(directory).relative_to(out_dir).as_posix())
        yield from (base / name for name in sorted(names))


def _starts_generated(path: Path) -> bool:
    try:
        with path.open(encoding="utf-8") as handle:
            return is_generated(handle.read(len(JSON_HEADER) + len(TF_HEADER)))
    except (OSError, UnicodeDecodeError):
        return False


def _read(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        raise OrgtfError(f"cannot read {path}: {exc}") from exc


def _refuse_foreign_files(out_dir: Path, on_disk: dict[PurePosixPath, str | None]) -> None:
    foreign = [
        path for path, text in on_disk.items() if text is not None and not is_generated(text)
    ]
    if foreign:
        listed = "\n".join(f"  {out_dir / path}{_owner(path)}" for path in foreign)
        raise OrgtfError(
            "refusing to overwrite files that orgtf did not generate (they lack the "
            f"generated-file notice); move them away and render again:\n{listed}"
        )


def _owner(path: PurePosixPath) -> str:
    account = account_of(path)
    return f" (account {account})" if account else ""


@contextmanager
def _os_errors(verb: str, path: Path) -> Iterator[None]:
    """Turn an OSError while changing ``path`` into an OrgtfError naming it and why."""
    try:
        yield
    except OSError as exc:
        reason = exc.strerror or str(exc)
        where = f" ({exc.filename})" if exc.filename and str(exc.filename) != str(path) else ""
        raise OrgtfError(f"cannot {verb} {path}: {reason}{where}") from exc


def _write_atomic(path: Path, content: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as stream:
            stream.write(content)
        os.chmod(temp, 0o644)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def _remove_empty_dirs(out_dir: Path, removed: list[PurePosixPath]) -> None:
    for directory in sorted({p.parent for p in removed}, key=lambda p: -len(p.parts)):
        with _os_errors("remove", out_dir / directory):
            while (
                len(directory.parts) > 1
                and (out_dir / directory).is_dir()
                and not any((out_dir / directory).iterdir())
            ):
                (out_dir / directory).rmdir()
                directory = directory.parent

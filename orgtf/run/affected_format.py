"""What ``orgtf affected`` prints: text for people, JSON for scripts, a GitHub Actions matrix.

The matrix is ``{"include": [{"shard": "K/N", "accounts": "a b", "base": COMMIT}, ...]}``,
one entry per shard, ready for ``strategy.matrix: ${{ fromJSON(...) }}``; it is printed on
one line so that it fits in ``$GITHUB_OUTPUT``. Each entry names the base as a commit, so
every shard job compares with the same revision even if the branch moves meanwhile.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Literal, TypeAlias

from orgtf.run.affected import Affected
from orgtf.text import plural, terminal_safe, text_table

AffectedFormat: TypeAlias = Literal["text", "json", "github-matrix"]
REMOVED_NOTE = (
    "its state still holds its resources, which orgtf no longer plans or manages (see docs/ci.md)"
)


def format_affected(
    affected: Affected, fmt: AffectedFormat, shards: Sequence[Sequence[str]], total: int
) -> str:
    """``affected`` in ``fmt``; ``shards`` are its accounts dealt out for the matrix and
    ``total`` the number of accounts in org.yaml. Ends with a newline."""
    if fmt == "json":
        return affected_json(affected)
    if fmt == "github-matrix":
        return github_matrix(affected, shards)
    return affected_text(affected, total)


def affected_json(affected: Affected) -> str:
    """``{"accounts": [...], "removed": [...], "base": {...}, "changes": {...}, "everything"}``."""
    document = {
        "accounts": affected.accounts,
        "removed": list(affected.removed),
        "base": {"ref": affected.ref, "commit": affected.commit},
        "changes": {c.account: list(c.paths) for c in affected.changes},
        "everything": affected.everything,
    }
    return json.dumps(document, indent=2) + "\n"


def github_matrix(affected: Affected, shards: Sequence[Sequence[str]]) -> str:
    """The matrix of shard jobs; ``{"include": []}`` when no account is affected."""
    count = len(shards)
    include = [
        {"shard": f"{i}/{count}", "accounts": " ".join(accounts), "base": affected.commit}
        for i, accounts in enumerate(shards, 1)
    ]
    return json.dumps({"include": include}, separators=(",", ":")) + "\n"


def affected_text(affected: Affected, total: int) -> str:
    """The affected accounts with what differs in each, then the removed ones."""
    since = f"since {affected.ref} ({affected.commit[:12]})"
    count = len(affected.changes)
    lines = [f"{count} of {plural(total, 'account')} affected {since}"]
    if affected.everything is not None:
        lines[0] += f": every account, as {terminal_safe(affected.everything)}"
    elif affected.changes:
        rows = [(c.account, ", ".join(c.paths)) for c in affected.changes]
        lines += ["", *text_table([("ACCOUNT", "WHAT DIFFERS"), *rows])]
    for account in affected.removed:
        lines.append(f"removed from org.yaml {since}: {terminal_safe(account)}; {REMOVED_NOTE}")
    return "\n".join(lines) + "\n"

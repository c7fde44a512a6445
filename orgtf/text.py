"""Text for people: suggestions, counts, durations, tables and escaping for terminals and markdown.

One copy of each, so every report, catalog and access view says things the same way.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Collection, Iterable, Sequence


def did_you_mean(name: str, known: Iterable[object]) -> str:
    """`` (did you mean 'x'?)`` when a known name is close to ``name``, else ``""``."""
    close = difflib.get_close_matches(name, [str(k) for k in known], n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


def plural(count: int, noun: str, many: str | None = None) -> str:
    """``1 role``, ``2 roles``; ``many`` for irregular plurals (``1 policy``, ``2 policies``)."""
    return f"{count} {noun if count == 1 else (many or noun + 's')}"


# --- counts and durations -------------------------------------------------------------------


def count_cells(add: int, change: int, destroy: int) -> tuple[str, str, str]:
    """``("+1", "~0", "-2")``: the signed counts of a plan, one per table column."""
    return f"+{add}", f"~{change}", f"-{destroy}"


def change_counts(add: int, change: int, destroy: int) -> str:
    """``+1 ~0 -2``: what a plan adds, changes in place and destroys."""
    return " ".join(count_cells(add, change, destroy))


def duration(seconds: int) -> str:
    """A session length: ``3600`` -> ``1h``, ``5400`` -> ``1h30m``, ``3601`` -> ``1h00m01s``
    (seconds are shown when there are any, so nothing is rounded away)."""
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return (
        f"{hours}h"
        + (f"{minutes:02d}m" if minutes or secs else "")
        + (f"{secs:02d}s" if secs else "")
    )


def elapsed(seconds: float) -> str:
    """A measured wall-clock time: ``1.4s``."""
    return f"{seconds:.1f}s"


# --- text for a terminal ----------------------------------------------------------------------

# One policy for both outputs: text is one line (a line break or tab becomes a space, so no
# value can forge a line of its own), and any other control character becomes "?": C0 and C1
# controls (ESC starts terminal escape sequences), DEL, and the bidirectional overrides that
# can make text read differently from what it is.
_LINE_BREAK = re.compile(r"\r\n|[\t\n\x0b\x0c\r\x85\u2028\u2029]")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def terminal_safe(text: str) -> str:
    """``text`` on one line with no control character: breaks and tabs become spaces, other
    control characters (escape sequences included) ``?``."""
    return _CONTROL.sub("?", _LINE_BREAK.sub(" ", text))


def terminal_lines(text: str) -> str:
    """``text`` with its line breaks kept and each line made ``terminal_safe``: for messages
    of several lines, such as an error quoting Terraform's output."""
    return "\n".join(terminal_safe(line) for line in text.split("\n"))


def text_table(
    rows: Iterable[Sequence[str]], *, right: Collection[int] = (), widths: Sequence[int] = ()
) -> list[str]:
    """Rows as aligned lines: columns two spaces apart, cells made terminal-safe, trailing
    spaces dropped. Columns listed in ``right`` are right-aligned; ``widths`` gives minimum
    widths (to line up rows printed one at a time)."""
    cells = [[terminal_safe(c) for c in row] for row in rows]
    if not cells:
        return []
    floors = [*widths, *[0] * len(cells[0])]
    sizes = [max(floors[i], *(len(row[i]) for row in cells)) for i in range(len(cells[0]))]
    return [
        "  ".join(
            c.rjust(w) if i in right else c.ljust(w)
            for i, (c, w) in enumerate(zip(row, sizes, strict=True))
        ).rstrip()
        for row in cells
    ]


# --- markdown ---------------------------------------------------------------------------------

# ASCII punctuation that means nothing to markdown or HTML in running text; every other ASCII
# punctuation character is written as a numeric character reference (``|`` -> ``&#124;``).
# References render as the character itself in paragraphs, headings, list items, table cells
# and raw HTML such as <summary> (where backslash escapes would show), and cannot split a
# cell, start emphasis, a link or a code span, or open an HTML tag.
_MD_PLAIN = frozenset(" %'(),-./:;=?@")
_CODE_UNSAFE = frozenset("`|\\")


def md_escape(text: str) -> str:
    """``text`` as one line of markdown that renders as itself anywhere outside code: made
    terminal-safe, then markdown and HTML punctuation written as character references."""
    return "".join(
        f"&#{ord(c)};" if c.isascii() and not c.isalnum() and c not in _MD_PLAIN else c
        for c in terminal_safe(text)
    )


def md_code(text: str) -> str:
    """``text`` as an inline code span, or escaped like ``md_escape`` when it holds something a
    code span cannot show safely in a table (a backtick, ``|``, ``\\``, a control character)."""
    if text and text == terminal_safe(text) and not _CODE_UNSAFE & set(text):
        return f"`{text}`"
    return md_escape(text)


def md_row(cells: Sequence[str]) -> str:
    """One markdown table row; cells must already be markdown (``md_escape``, ``md_code``)."""
    return "|" + "|".join(f" {c} " if c else " " for c in cells) + "|"


def md_table(
    header: Sequence[str], rows: Iterable[Sequence[str]] = (), *, right: Collection[int] = ()
) -> list[str]:
    """A markdown table: ``header``, the alignment line, then ``rows`` (see ``md_row``)."""
    align = ["---:" if i in right else "---" for i in range(len(header))]
    return [md_row(header), md_row(align), *(md_row(r) for r in rows)]


def code_fence(lines: Iterable[str]) -> str:
    """A code fence longer than any run of backticks in ``lines``, so none can close it."""
    runs = [len(run) for line in lines for run in re.findall(r"`+", line)]
    return "`" * max([3, *(n + 1 for n in runs)])

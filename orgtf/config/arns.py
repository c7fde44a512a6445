"""Whether a policy's Resource can name a resource of a type, by its ARN format.

Both sides may stand for many ARNs: the policy's with ``*``, ``?`` and policy variables
(``${aws:username}``), the format with its placeholders (``${BucketName}``). They match when
some ARN fits both, field by field (partition, service, region, account, resource).
"""

from __future__ import annotations

import re

PLACEHOLDER = re.compile(r"\$\{[^}]*\}")
WILDCARDS = re.compile(r"[*?]")
GLOB = {"*": ".*", "?": "."}
BUCKET_FORMAT = "${BucketName}"  # an S3 bucket's resource part, which cannot hold a /


def arn_may_match(resource: str, arn_format: str) -> bool:
    """Whether some ARN is both named by ``resource`` and of the format ``arn_format``.

    A resource that is not an ARN of six fields is left to IAM: it is taken to match.
    """
    if resource == "*":
        return True
    given = PLACEHOLDER.sub("*", resource).split(":", 5)
    wanted = arn_format.split(":", 5)
    if len(given) < 6 or len(wanted) < 6:
        return True
    if wanted[5] == BUCKET_FORMAT and "/" in given[5]:
        return False
    return all(globs_meet(g, PLACEHOLDER.sub("?*", w)) for g, w in zip(given, wanted, strict=True))


def globs_meet(a: str, b: str) -> bool:
    """Whether some text matches both patterns (``*``: any run of characters, ``?``: one).

    A search over pairs of positions, one in each pattern: at most len(a) x len(b) steps;
    when one side is plain text, a regular expression of the other.
    """
    if not WILDCARDS.search(a):
        return _glob_regex(b).fullmatch(a) is not None
    if not WILDCARDS.search(b):
        return _glob_regex(a).fullmatch(b) is not None
    seen: set[tuple[int, int]] = set()
    todo = [(0, 0)]
    while todo:
        i, j = todo.pop()
        if (i, j) in seen:
            continue
        seen.add((i, j))
        if i == len(a) and j == len(b):
            return True
        if i < len(a) and a[i] == "*":
            todo.append((i + 1, j))
        if j < len(b) and b[j] == "*":
            todo.append((i, j + 1))
        if i < len(a) and j < len(b) and _chars_meet(a[i], b[j]):
            todo.append((i + (a[i] != "*"), j + (b[j] != "*")))
    return False


def _glob_regex(pattern: str) -> re.Pattern[str]:
    return re.compile("".join(GLOB.get(c, re.escape(c)) for c in pattern), re.DOTALL)


def _chars_meet(a: str, b: str) -> bool:
    return a in "*?" or b in "*?" or a == b

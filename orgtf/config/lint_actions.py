"""The actions an entry of a statement's ``Action`` names, or why it names none.

IAM reads ``s3:GetObject`` in any case, ``s3:Get*`` as every action of S3 starting so, and
``*`` as every action there is. An entry naming nothing is a finding of its own
(``unknown-action``), with the closest name IAM knows.
"""

from __future__ import annotations

from dataclasses import dataclass

from orgtf.config.iamdata import Action, IamDatabase
from orgtf.text import did_you_mean


@dataclass(frozen=True)
class Expansion:
    """The actions an ``Action`` entry names: one, those its wildcards cover, or all (``*``)."""

    text: str
    actions: tuple[Action, ...] = ()
    everything: bool = False
    problem: str | None = None

    @property
    def wildcard(self) -> bool:
        """Whether the entry has wildcards (``*`` included)."""
        return "*" in self.text or "?" in self.text

    @property
    def label(self) -> str:
        """The action's canonical name, or the entry as written when it has wildcards."""
        return self.text if self.wildcard or len(self.actions) != 1 else str(self.actions[0])


def expand(db: IamDatabase, text: str) -> Expansion:
    """What the action entry ``text`` (``service:Name``, wildcards allowed, or ``*``) names."""
    if text == "*":
        return Expansion(text, everything=True)
    prefix, _, name = text.partition(":")
    service = db.service(prefix)
    if service is None:
        hint = did_you_mean(prefix.lower(), db.prefixes())
        return Expansion(text, problem=f"unknown service {prefix!r} in {text!r}{hint}")
    if "*" in name or "?" in name:
        found = tuple(service.matching(name))
        problem = None if found else f"{text!r} matches no action of {service.prefix}"
        return Expansion(text, found, problem=problem)
    action = service.action(name)
    if action is None:
        names = [f"{service.prefix}:{n}" for n in service.privileges]
        hint = did_you_mean(f"{service.prefix}:{name}", names)
        return Expansion(text, problem=f"unknown action {text!r}{hint}")
    return Expansion(text, (action,))

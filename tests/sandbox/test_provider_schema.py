"""The stand-in's schema, as real Terraform sees it, against the hashicorp/aws 6.37 reference."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from orgtf.sandbox.mirror import PROVIDER_SOURCE, cli_config_text, current_platform
from orgtf.sandbox.provider.policy_json import policies_equivalent
from orgtf.sandbox.provider.provider import DATA_SOURCES, RESOURCES
from tests.support.provider import REQUIRED_PROVIDERS, InitializedMirror

REFERENCE = Path(__file__).with_name("provider_reference_schema.json")

# Reference attributes/blocks the stand-in deliberately does not declare, each with its reason.
# Keys are "<item>.<path>"; keep this empty unless something truly cannot be supported.
OMITTED: dict[str, str] = {}


@pytest.fixture(scope="module")
def served_schema(mirror: InitializedMirror) -> dict[str, Any]:
    """``terraform providers schema -json`` for the installed stand-in."""
    terraform = mirror.workspace("schema", REQUIRED_PROVIDERS, {})
    shown = json.loads(terraform.run("providers", "schema", "-json").stdout)
    return dict(shown["provider_schemas"][PROVIDER_SOURCE])


@pytest.fixture(scope="module")
def reference() -> dict[str, Any]:
    return dict(json.loads(REFERENCE.read_text()))


def compare_block(
    path: str, actual: dict[str, Any], expected: dict[str, Any], problems: list[str]
) -> None:
    """Append every difference between a served block and the reference block."""
    actual_attrs = actual.get("attributes", {})
    expected_attrs = expected.get("attributes", {})
    for name, attr in sorted(actual_attrs.items()):
        ref = expected_attrs.get(name)
        if ref is None:
            problems.append(f"{path}.{name}: declared but not in the reference")
            continue
        if attr["type"] != ref["cty"]:
            problems.append(f"{path}.{name}: type {attr['type']} != {ref['cty']}")
        for flag in ("required", "optional", "computed", "sensitive", "deprecated"):
            if bool(attr.get(flag)) != bool(ref.get(flag)):
                problems.append(f"{path}.{name}: {flag}={attr.get(flag)} != {ref.get(flag)}")
    for name in sorted(set(expected_attrs) - set(actual_attrs)):
        if f"{path}.{name}" not in OMITTED:
            problems.append(f"{path}.{name}: in the reference but not declared")
    compare_blocks(path, actual.get("block_types", {}), expected.get("block_types", {}), problems)


def compare_blocks(
    path: str, actual: dict[str, Any], expected: dict[str, Any], problems: list[str]
) -> None:
    for name, block in sorted(actual.items()):
        ref = expected.get(name)
        if ref is None:
            problems.append(f"{path}.{name}: block declared but not in the reference")
            continue
        if block["nesting_mode"] != ref["nesting_mode"]:
            problems.append(
                f"{path}.{name}: nesting {block['nesting_mode']} != {ref['nesting_mode']}"
            )
        if bool(block["block"].get("deprecated")) != bool(ref.get("deprecated")):
            problems.append(f"{path}.{name}: block deprecation differs")
        if block.get("max_items", 0) != ref.get("max_items", 0):
            problems.append(f"{path}.{name}: max_items {block.get('max_items', 0)} != ref")
        compare_block(f"{path}.{name}", block["block"], ref["block"], problems)
    for name in sorted(set(expected) - set(actual)):
        if f"{path}.{name}" not in OMITTED:
            problems.append(f"{path}.{name}: block in the reference but not declared")


def test_every_implemented_item_is_served(served_schema: dict[str, Any]) -> None:
    assert sorted(served_schema["resource_schemas"]) == sorted(r.type_name for r in RESOURCES)
    assert sorted(served_schema["data_source_schemas"]) == sorted(d.type_name for d in DATA_SOURCES)


def test_provider_schema_matches_reference(
    served_schema: dict[str, Any], reference: dict[str, Any]
) -> None:
    problems: list[str] = []
    compare_block(
        "provider", served_schema["provider"]["block"], reference["provider"]["block"], problems
    )
    assert problems == []


@pytest.mark.parametrize("kind", ["resources", "data_sources"])
def test_item_schemas_match_reference(
    served_schema: dict[str, Any], reference: dict[str, Any], kind: str
) -> None:
    served = served_schema["resource_schemas" if kind == "resources" else "data_source_schemas"]
    problems: list[str] = []
    for name, schema in sorted(served.items()):
        if name not in reference[kind]:
            problems.append(f"{name}: declared but not in the reference")
            continue
        compare_block(name, schema["block"], reference[kind][name]["block"], problems)
    assert problems == []


def test_force_new_and_defaults_match_reference(reference: dict[str, Any]) -> None:
    """ForceNew and defaults are not in schema JSON; compare our declarations directly."""
    problems: list[str] = []
    for resource in RESOURCES:
        expected = reference["resources"][resource.type_name]["block"]["attributes"]
        for attr in resource.get_schema().attributes:
            ref = expected[attr.name]
            if bool(attr.requires_replace) != bool(ref.get("force_new")):
                problems.append(f"{resource.type_name}.{attr.name}: force_new differs")
            default = None if repr(attr.default) == "Unknown" else attr.default
            if default != ref.get("default"):
                problems.append(f"{resource.type_name}.{attr.name}: default {default!r} differs")
    assert problems == []


def test_omissions_are_documented() -> None:
    assert all(reason for reason in OMITTED.values())


def test_cli_config_takes_aws_from_the_mirror_only(tmp_path: Path) -> None:
    text = cli_config_text(tmp_path)
    assert f'include = ["{PROVIDER_SOURCE}"]' in text
    assert f'exclude = ["{PROVIDER_SOURCE}"]' in text
    assert current_platform() in {"linux_amd64", "linux_arm64", "darwin_amd64", "darwin_arm64"}


@pytest.mark.parametrize(
    ("left", "right", "equal"),
    [
        ('{"Statement":[{"Action":"s3:Get","Effect":"Allow","Resource":"*"}],"Version":"2012-10-17"}',
         '{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": ["s3:Get"],'
         ' "Resource": ["*"]}}', True),
        ('{"Statement":[{"Principal":"*","Effect":"Allow","Action":"sts:AssumeRole"}]}',
         '{"Statement":[{"Principal":{"AWS":"*"},"Effect":"Allow","Action":"sts:AssumeRole"}]}',
         True),
        ('{"Statement":[{"Action":["a","b"],"Effect":"Allow"}]}',
         '{"Statement":[{"Action":["b","a"],"Effect":"Allow"}]}', True),
        ('{"Statement":[{"Action":"a","Effect":"Allow"}]}',
         '{"Statement":[{"Action":"a","Effect":"Deny"}]}', False),
        ('{"Statement":[]}', "not json", False),
    ],
)  # fmt: skip
def test_policy_equivalence(left: str, right: str, equal: bool) -> None:
    assert policies_equivalent(left, right) is equal

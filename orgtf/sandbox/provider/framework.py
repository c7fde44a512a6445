"""Small extensions to the ``tf`` framework that the hashicorp/aws schema needs.

``tf`` 1.2 has no list-nested blocks and no semantic type for IAM policy JSON; both are added
here by subclassing rather than by bending the schema.
"""

from __future__ import annotations

from typing import Any

from tf import types
from tf.blocks import SetNestedBlock
from tf.gen import tfplugin_pb2 as pb
from tf.schema import Attribute, Block, Schema

from orgtf.sandbox.provider.policy_json import policies_equivalent

State = dict[str, Any]
Unknown: Any = types.Unknown


class ListNestedBlock(SetNestedBlock):  # type: ignore[misc]
    """A nested block with ``list`` nesting (ordered, repeatable), e.g. ``assume_role``."""

    def __init__(self, type_name: str, block: Block, max_items: int = 0) -> None:
        super().__init__(type_name, block)
        self.max_items = max_items

    def to_pb(self) -> Any:
        return pb.Schema.NestedBlock(
            type_name=self.type_name,
            block=self.block.to_pb(),
            min_items=0,
            max_items=self.max_items,
            nesting=pb.Schema.NestedBlock.NestingMode.LIST,
        )

    def semantically_equal(self, a_decoded: Any, b_decoded: Any) -> bool:
        return bool(a_decoded == b_decoded)


class PolicyDocument(types.String):  # type: ignore[misc]
    """A string holding IAM policy JSON; equal when the policies are equivalent."""

    def semantically_equal(self, a_decoded: Any, b_decoded: Any) -> bool:
        if a_decoded is b_decoded:
            return True
        if not isinstance(a_decoded, str) or not isinstance(b_decoded, str):
            return False
        return a_decoded == b_decoded or policies_equivalent(a_decoded, b_decoded)


def string() -> Any:
    return types.String()


def boolean() -> Any:
    return types.Bool()


def number() -> Any:
    return types.Number()


def string_set() -> Any:
    return types.Set(types.String())


def string_list() -> Any:
    return types.List(types.String())


def string_map() -> Any:
    return types.Map(types.String())


def id_attribute() -> Any:
    """The implicit SDKv2 ``id``: optional and computed."""
    return Attribute("id", string(), optional=True, computed=True)


def tags_attributes() -> list[Any]:
    """``tags`` (optional map) and ``tags_all`` (optional+computed map)."""
    return [
        Attribute("tags", string_map(), optional=True),
        Attribute("tags_all", string_map(), optional=True, computed=True),
    ]


def resource_schema(attributes: list[Any], blocks: list[Any] | None = None) -> Any:
    """A version-0 schema with attributes sorted by name, as Terraform prints them."""
    ordered = sorted(attributes, key=lambda a: a.name)
    return Schema(version=0, attributes=ordered, block_types=blocks or [])


def empty_state(schema: Any) -> State:
    """Every attribute null and every block empty: the base for building a full state."""
    state: State = {a.name: None for a in schema.attributes}
    state.update({b.type_name: [] for b in schema.block_types})
    return state


def has_default(attribute: Any) -> bool:
    """Whether the attribute carries an SDKv2-style schema default."""
    return attribute.default is not Unknown


def known_or_null(value: Any) -> Any:
    """``value`` with every unknown, however deeply nested, replaced by null."""
    if value is Unknown:
        return None
    if isinstance(value, dict):
        return {k: known_or_null(v) for k, v in value.items()}
    if isinstance(value, list):
        return [known_or_null(v) for v in value]
    return value

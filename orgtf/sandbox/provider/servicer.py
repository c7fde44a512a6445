"""The gRPC servicer: ``tf``'s, with SDKv2-style planning and errors turned into diagnostics.

``tf`` 1.2 echoes the proposed state as the plan, never passes the configuration to apply and
lets exceptions escape as gRPC failures. Here planning goes through ``planning.plan_change``,
apply gets the configuration, responses carry ``legacy_type_system`` (as SDKv2 providers do,
so Terraform tolerates normalised values such as compact policy JSON), a failed apply still
returns a state Terraform accepts, and any unexpected exception becomes an error diagnostic
naming the resource type.
"""

from __future__ import annotations

import traceback
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tf.gen import tfplugin_pb2 as pb
from tf.provider import ProviderServicer, _decode_state, _encode_state
from tf.utils import Diagnostics, _to_attribute_path, read_dynamic_value

from orgtf.sandbox.provider.errors import AwsError, describe
from orgtf.sandbox.provider.framework import State, known_or_null
from orgtf.sandbox.provider.planning import plan_change
from orgtf.sandbox.provider.schema import provider_meta_schema


@dataclass
class ApplyContext:
    """Context for create/update/delete; ``config`` is the resource's configuration."""

    diagnostics: Any
    type_name: str
    config: dict[str, Any]


class SandboxServicer(ProviderServicer):  # type: ignore[misc]
    """ProviderServicer with the overrides described in the module docstring."""

    def GetProviderSchema(self, request: Any, context: Any) -> Any:
        response = super().GetProviderSchema(request, context)
        response.provider_meta.CopyFrom(provider_meta_schema().to_pb())
        return response

    def ConfigureProvider(self, request: Any, context: Any) -> Any:
        call = super().ConfigureProvider
        return _guard(pb.ConfigureProvider.Response, "provider", lambda: call(request, context))

    def ReadResource(self, request: Any, context: Any) -> Any:
        call = super().ReadResource
        return _guard(pb.ReadResource.Response, request.type_name, lambda: call(request, context))

    def ImportResourceState(self, request: Any, context: Any) -> Any:
        call = super().ImportResourceState
        return _guard(
            pb.ImportResourceState.Response, request.type_name, lambda: call(request, context)
        )

    def ReadDataSource(self, request: Any, context: Any) -> Any:
        call = super().ReadDataSource
        return _guard(pb.ReadDataSource.Response, request.type_name, lambda: call(request, context))

    def PlanResourceChange(self, request: Any, context: Any) -> Any:
        return _guard(
            pb.PlanResourceChange.Response, request.type_name, lambda: self._plan(request)
        )

    def ApplyResourceChange(self, request: Any, context: Any) -> Any:
        return _guard(
            pb.ApplyResourceChange.Response, request.type_name, lambda: self._apply(request)
        )

    def _plan(self, request: Any) -> Any:
        type_name = request.type_name
        diags = Diagnostics()
        attrs, blocks = self._get_res_attrs(type_name), self._get_res_blocks(type_name)
        prior_enc, prior = _decode_state(diags, attrs, blocks, request.prior_state)
        _, proposed = _decode_state(diags, attrs, blocks, request.proposed_new_state)
        if diags.has_errors() or proposed is None:
            return pb.PlanResourceChange.Response(
                planned_state=request.proposed_new_state,
                diagnostics=diags.to_pb(),
                legacy_type_system=True,
            )
        config = read_dynamic_value(request.config) or {}
        resource = self.app.new_resource(self._get_res_cls(type_name))
        change = plan_change(resource, prior, proposed, config)
        return pb.PlanResourceChange.Response(
            planned_state=_encode_state(attrs, blocks, change.planned, prior_enc),
            requires_replace=[_to_attribute_path([n]) for n in change.requires_replace],
            diagnostics=diags.to_pb(),
            legacy_type_system=True,
        )

    def _apply(self, request: Any) -> Any:
        type_name = request.type_name
        diags = Diagnostics()
        attrs, blocks = self._get_res_attrs(type_name), self._get_res_blocks(type_name)
        _, prior = _decode_state(diags, attrs, blocks, request.prior_state)
        planned_enc, planned = _decode_state(diags, attrs, blocks, request.planned_state)
        if diags.has_errors():
            return pb.ApplyResourceChange.Response(diagnostics=diags.to_pb())
        config = read_dynamic_value(request.config) or {}
        ctx = ApplyContext(diags, type_name, config)
        resource = self.app.new_resource(self._get_res_cls(type_name))
        if prior is None:
            new_state = resource.create(ctx, planned)
        elif planned is None:
            new_state = resource.delete(ctx, prior)
        else:
            new_state = resource.update(ctx, prior, planned)
        new_state = _valid_after_apply(diags, type_name, planned, new_state)
        return pb.ApplyResourceChange.Response(
            new_state=_encode_state(attrs, blocks, new_state, old=planned_enc),
            diagnostics=diags.to_pb(),
            legacy_type_system=True,
        )


def _valid_after_apply(
    diags: Any, type_name: str, planned: State | None, new_state: State | None
) -> State | None:
    """A state Terraform accepts after apply, even when the apply failed part way.

    Terraform rejects unknown values after apply ("Provider returned invalid result object"),
    and a null object for a create or update unless an error explains it. With an error, the
    state is saved as it is (a create's partial state as tainted), so values still unknown
    become null, as SDKv2 drops them.
    """
    if new_state is None and planned is not None and not diags.has_errors():
        diags.add_error(f"{type_name}: the object was not found after it was written")
    if new_state is not None and diags.has_errors():
        known: State = known_or_null(new_state)
        return known
    return new_state


def _guard(response_type: Any, subject: str, call: Callable[[], Any]) -> Any:
    """Run ``call``; turn any exception into an error diagnostic instead of a gRPC failure.

    With no state in the response, Terraform keeps the prior state (null for a create).
    """
    try:
        return call()
    except AwsError as exc:
        diags = Diagnostics()
        diags.add_error(f"{subject}: {describe(exc)}")
        return response_type(diagnostics=diags.to_pb())
    except Exception as exc:
        diags = Diagnostics()
        diags.add_error(
            f"{subject}: {type(exc).__name__}: {exc}",
            "Unexpected error in the orgtf sandbox stand-in provider.\n" + traceback.format_exc(),
        )
        return response_type(diagnostics=diags.to_pb())

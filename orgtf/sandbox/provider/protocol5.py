"""Serve the servicer as ``tfplugin5.Provider``, the protocol the real hashicorp/aws speaks.

``tf`` only ships tfplugin6 stubs, but Terraform 1.0 ignores ``legacy_type_system`` on protocol
6, and SDKv2 behaviour (defaults planned into non-computed attributes, normalised policy JSON
kept in state) depends on it. Every tfplugin5 message we use has the same field numbers as its
tfplugin6 counterpart, so the tfplugin6 classes encode and decode the protocol 5 wire format;
only the service and method names differ. ``PrepareProviderConfig`` alone has an extra
response field (``prepared_config`` = 1), which is appended to the encoded response.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import grpc  # type: ignore[import-untyped]
from tf.gen import tfplugin_pb2 as pb

SERVICE = "tfplugin5.Provider"

# protocol 5 method -> (servicer method, tfplugin6 message with the same wire format)
_METHODS: dict[str, tuple[str, Any]] = {
    "GetSchema": ("GetProviderSchema", pb.GetProviderSchema),
    "ValidateResourceTypeConfig": ("ValidateResourceConfig", pb.ValidateResourceConfig),
    "ValidateDataSourceConfig": ("ValidateDataResourceConfig", pb.ValidateDataResourceConfig),
    "UpgradeResourceState": ("UpgradeResourceState", pb.UpgradeResourceState),
    "Configure": ("ConfigureProvider", pb.ConfigureProvider),
    "ReadResource": ("ReadResource", pb.ReadResource),
    "PlanResourceChange": ("PlanResourceChange", pb.PlanResourceChange),
    "ApplyResourceChange": ("ApplyResourceChange", pb.ApplyResourceChange),
    "ImportResourceState": ("ImportResourceState", pb.ImportResourceState),
    "ReadDataSource": ("ReadDataSource", pb.ReadDataSource),
    "Stop": ("StopProvider", pb.StopProvider),
}


def provider_handler(servicer: Any) -> Any:
    """A generic gRPC handler exposing ``servicer`` under the tfplugin5 names."""
    handlers = {
        name: _unary(getattr(servicer, target), message)
        for name, (target, message) in _METHODS.items()
    }
    handlers["PrepareProviderConfig"] = grpc.unary_unary_rpc_method_handler(
        _prepare(servicer.ValidateProviderConfig),
        request_deserializer=pb.ValidateProviderConfig.Request.FromString,
        response_serializer=bytes,
    )
    return grpc.method_handlers_generic_handler(SERVICE, handlers)


def _unary(method: Callable[[Any, Any], Any], message: Any) -> Any:
    return grpc.unary_unary_rpc_method_handler(
        method,
        request_deserializer=message.Request.FromString,
        response_serializer=message.Response.SerializeToString,
    )


def _prepare(validate: Callable[[Any, Any], Any]) -> Callable[[Any, Any], bytes]:
    """PrepareProviderConfig = ValidateProviderConfig plus the config echoed as field 1."""

    def prepare(request: Any, context: Any) -> bytes:
        response = validate(request, context)
        # Request.config is field 1 of type DynamicValue: exactly prepared_config's encoding.
        echoed = pb.ValidateProviderConfig.Request(config=request.config).SerializeToString()
        return bytes(echoed + response.SerializeToString())

    return prepare

"""Serve the provider over go-plugin gRPC (protocol 5), like ``tf.runner.run_provider`` does."""

from __future__ import annotations

import base64
import tempfile
import time
from concurrent import futures
from typing import Any

import grpc  # type: ignore[import-untyped]
from tf.gen import grpc_controller_pb2 as controller_pb
from tf.gen import grpc_controller_pb2_grpc as controller_rpc
from tf.gen import grpc_stdio_pb2_grpc as stdio_rpc
from tf.runner import _self_signed_cert

from orgtf.sandbox.provider.protocol5 import provider_handler
from orgtf.sandbox.provider.servicer import SandboxServicer

_CORE_PROTOCOL = 1
_PLUGIN_PROTOCOL = 5
SHUTDOWN_METHOD = "/plugin.GRPCController/Shutdown"
_SHUTDOWN_GRACE = 2.0  # what go-plugin waits for the process to exit before killing it


class _Stopper:
    """Stops the server once Terraform shuts the plugin down.

    ``StopProvider`` (sent when Terraform is interrupted) does not stop it: like the real
    provider, the calls in flight finish and answer, so Terraform records what they created;
    stopping there would lose objects a create made just before its answer was cut off.
    """

    def __init__(self) -> None:
        self.stopped = False

    def intercept_service(self, continuation: Any, details: Any) -> Any:
        if details.method == SHUTDOWN_METHOD:
            self.stopped = True
        return continuation(details)


class _Controller(controller_rpc.GRPCControllerServicer):  # type: ignore[misc]
    def Shutdown(self, request: Any, context: Any) -> Any:
        return controller_pb.Empty()


class _Stdio(stdio_rpc.GRPCStdioServicer):  # type: ignore[misc]
    def StreamStdio(self, request: Any, context: Any) -> Any:
        return iter([])


def serve(provider: Any) -> int:
    """Start the gRPC server, print the go-plugin handshake and block until stopped."""
    stopper = _Stopper()
    server = grpc.server(
        thread_pool=futures.ThreadPoolExecutor(max_workers=16), interceptors=[stopper]
    )
    server.add_generic_rpc_handlers((provider_handler(SandboxServicer(provider)),))
    controller_rpc.add_GRPCControllerServicer_to_server(_Controller(), server)
    stdio_rpc.add_GRPCStdioServicer_to_server(_Stdio(), server)
    with tempfile.TemporaryDirectory(prefix="orgtf-aws-") as tmp:
        socket = f"{tmp}/provider.sock"
        chain, credentials = _self_signed_cert()
        server.add_secure_port(f"unix://{socket}", credentials)
        server.start()
        cert = base64.b64encode(chain).decode().rstrip("=")
        fields = [str(_CORE_PROTOCOL), str(_PLUGIN_PROTOCOL), "unix", socket, "grpc", cert]
        print("|".join(fields), flush=True)
        while not stopper.stopped:
            time.sleep(0.05)
        time.sleep(0.05)  # let the last response go out before stopping
        server.stop(grace=_SHUTDOWN_GRACE)
    return 0

"""``python -m orgtf.sandbox.provider``: run the hashicorp/aws stand-in as a Terraform plugin."""

from __future__ import annotations

from orgtf.sandbox.provider.provider import AwsProvider
from orgtf.sandbox.provider.server import serve


def main() -> int:
    """Serve the provider until Terraform stops it."""
    return serve(AwsProvider())


if __name__ == "__main__":
    raise SystemExit(main())

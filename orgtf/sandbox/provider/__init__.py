"""A stand-in for registry.terraform.io/hashicorp/aws (IAM subset) backed by a local emulator.

Run it with ``python -m orgtf.sandbox.provider``; ``orgtf.sandbox.mirror`` installs it into a
filesystem mirror so Terraform picks it up in place of the real provider. It refuses any
endpoint that is not loopback: it is for the sandbox only, never for real AWS.
"""

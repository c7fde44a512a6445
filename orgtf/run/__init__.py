"""Stage 3, run: Terraform across the organization's accounts.

Owns where each account runs (``workspace``: targets, isolated data dirs, saved-plan records),
the engine (``engine``: ordering, a bounded interruptible ``pool``, protected accounts), the
live ``progress`` display, and plan/apply ``report`` formats.

May import: ``orgtf.config``, ``orgtf.render``, ``orgtf.terraform``, ``orgtf.sandbox`` (lazily,
only to start the sandbox) and the top-level helpers. Never imports catalog, access or commands.
"""

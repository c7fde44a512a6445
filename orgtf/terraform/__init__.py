"""Terraform itself: finding the binary, running its commands, and reading what it prints.

Owns the driver (``driver``: one method per Terraform command, a clean environment per call,
every call through ``orgtf.process``), binary resolution (``binary``), init bookkeeping
(``init_stamp``), and the typed records of its results (``plan``: plan summaries and outputs;
``stream``: the ``plan -json`` message stream).

May import: the top-level helpers (errors, process, files, text). Knows nothing of org.yaml,
accounts or the sandbox.
"""

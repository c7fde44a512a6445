"""Stage 4, the role catalog: every role, who may assume it and how, from the deployed state.

Owns reading each account's root outputs into typed records (``state``), cross-checking them
with org.yaml (``build``), and the catalog's formats (``format``).

May import: ``orgtf.config``, ``orgtf.run`` (to read outputs), ``orgtf.profiles`` and the
top-level helpers.
"""

"""Stage 4, access: who may assume which role, from org.yaml alone, and what a change alters.

Owns the user x role matrix (``matrix``), the semantic diff between two versions of org.yaml
(``diff``), and their text, JSON and markdown forms (``format``).

May import: ``orgtf.config`` and the top-level helpers; never Terraform or the run layer.
"""

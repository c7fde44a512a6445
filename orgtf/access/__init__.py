"""Stage 4, access: who may assume which role, from org.yaml alone, and what a change alters.

Owns the user x role matrix (``matrix``), the semantic diff between two versions of org.yaml
(``diff``), and their text, JSON and markdown forms (``format``); and the comparison of the
access the live IAM allows with the access org.yaml declares (``verify``, ``verify_format``).

May import: ``orgtf.config``, ``orgtf.iam`` and the top-level helpers; never Terraform, the
run layer or AWS (``orgtf.live`` reads the IAM that ``verify`` compares).
"""

"""Stage 2, render: the validated organization -> Terraform files.

Owns the generated account roots (``tree``: Jinja2 templates in ``templates/``), their JSON
variables (``tfvars``), the Terraform modules shipped in the package (``packaged``), and
syncing a directory with the rendered tree or checking it (``sync``).

May import: ``orgtf.config`` and the top-level helpers (errors, files, text). Nothing here
runs Terraform or knows about accounts' state.
"""

"""Helpers the tests call directly: org.yaml texts, sandboxes, clients, waiting, Terraform.

Fixtures live in ``conftest.py`` files; these are plain functions and classes, imported as
``from tests.support.sandbox import ...``.
"""

"""Adopting an organization that already exists (``orgtf import``).

Owns turning what ``orgtf.live.inventory`` read from AWS into an org.yaml that describes it
(``discover``, ``roles``, ``groups``, ``yaml_text``: deterministic, commented where it made a
choice, with what it cannot describe left unmanaged and listed with the reason) and bringing
every object that org.yaml describes into each account's Terraform state (``state``) without
changing anything in AWS, so that the first plan shows no changes.

May import: ``orgtf.config``, ``orgtf.iam``, ``orgtf.live``, ``orgtf.render``, ``orgtf.run``,
``orgtf.terraform`` and the top-level helpers.
"""

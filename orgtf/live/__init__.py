"""Stage 3, live: the IAM the organization's accounts hold now, read from AWS or the sandbox.

Owns reaching every account as plan and apply do (``connect``: the master with the caller's
credentials, each other account through ``organization.access_role``; real AWS through
boto3's default credential chain, the sandbox through its operator and loopback guard) and
reading each account's ``GetAccountAuthorizationDetails`` in parallel (``read``) into
``orgtf.iam.details`` records for ``access verify``.

May import: ``orgtf.config``, ``orgtf.iam``, ``orgtf.sandbox`` (to start it and to guard its
clients) and the top-level helpers. boto3 is imported where it is used, so that importing
this package costs nothing to the commands that never read AWS.
"""

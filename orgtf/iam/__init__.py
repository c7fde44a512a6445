"""IAM's policy evaluation logic as a plain library: whether a request is allowed.

Owns evaluating policy documents against a request (``evaluate``: effects, Action/NotAction,
Resource/NotResource and principal matching, how identity, trust and boundary policies
combine for sts:AssumeRole) and the condition operators (``conditions``); an account's IAM as
``GetAccountAuthorizationDetails`` describes it (``details``); which of its users and roles
may assume a role, with or without MFA and through which statements (``reach``, with the
quick test of ``scope``), and whom a trust policy admits from other accounts (``outside``).
Used by the sandbox's emulator to enforce role assumption and by ``orgtf access verify`` to
compute effective access. Imports nothing else of orgtf.
"""

"""IAM's policy evaluation logic as a plain library: whether a request is allowed.

Owns evaluating policy documents against a request (``evaluate``: effects, Action/NotAction,
Resource/NotResource and principal matching, how identity, trust and boundary policies
combine for sts:AssumeRole) and the condition operators (``conditions``). Used by the
sandbox's emulator to enforce role assumption and by ``orgtf access verify`` to compute
effective access. Imports nothing else of orgtf.
"""

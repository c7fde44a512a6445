"""Stage 4, profiles: ``~/.aws/config`` profiles for the roles a user may assume.

Owns building a user's profiles (``build``), and their text forms and safe merge into an
AWS config file (``awsconfig``).

May import: ``orgtf.config``, ``orgtf.access`` and the top-level helpers.
"""

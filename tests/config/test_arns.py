"""A policy's Resource against the ARN formats of IAM's resource types."""

from __future__ import annotations

import pytest

from orgtf.config.arns import arn_may_match, globs_meet

BUCKET = "arn:${Partition}:s3:::${BucketName}"
OBJECT = "arn:${Partition}:s3:::${BucketName}/${ObjectName}"
ROLE = "arn:${Partition}:iam::${Account}:role/${RoleNameWithPath}"
DB = "arn:${Partition}:rds:${Region}:${Account}:db:${DbInstanceName}"


@pytest.mark.parametrize(
    ("resource", "arn_format", "expected"),
    [
        ("*", DB, True),
        ("arn:aws:s3:::bucket", BUCKET, True),
        ("arn:aws:s3:::bucket", OBJECT, False),
        ("arn:aws:s3:::bucket/*", OBJECT, True),
        ("arn:aws:s3:::bucket/*", BUCKET, False),  # a bucket's name holds no /
        ("arn:aws:s3:::*", OBJECT, True),
        ("arn:aws:s3:::bucket/${aws:username}/*", OBJECT, True),
        ("arn:aws:iam::123456789012:role/teams/alfie/ReadOnly", ROLE, True),
        ("arn:aws:iam::123456789012:user/alice", ROLE, False),
        ("arn:aws:rds:us-east-1:123456789012:db:foo-*", DB, True),
        ("arn:aws:rds:*:*:db:*", DB, True),
        ("arn:aws:rds:us-east-1:123456789012:cluster:foo", DB, False),
        ("arn:aws:rds::123456789012:db:foo", DB, False),  # RDS ARNs have a region
        ("arn:aws:ec2:*:*:instance/*", DB, False),
        ("not-an-arn", DB, True),  # left to IAM
    ],
)
def test_resource_against_format(resource: str, arn_format: str, expected: bool) -> None:
    assert arn_may_match(resource, arn_format) is expected


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ("abc", "abc", True),
        ("abc", "abd", False),
        ("a*", "*b", True),
        ("a*b", "*c*", True),
        ("a*b", "c*", False),
        ("?", "", False),
        ("*", "", True),
        ("a.c", "abc", False),  # no regular expressions
        ("ab", "a?", True),
        ("ab", "a?c", False),
    ],
)
def test_globs_meet(a: str, b: str, expected: bool) -> None:
    assert globs_meet(a, b) is expected
    assert globs_meet(b, a) is expected

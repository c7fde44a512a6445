"""An account's IAM from GetAccountAuthorizationDetails pages, who of it may assume a role (with
or without MFA, through which statements), and whom a trust policy admits from elsewhere."""

from __future__ import annotations

import json
import urllib.parse
from typing import Any

from orgtf.iam.details import AccountDetails, parse_details
from orgtf.iam.outside import OutsidePrincipal, outside_principals
from orgtf.iam.reach import Identity, assumption, identities, may_assume, request_context
from orgtf.iam.scope import allow_scope

MASTER = "111111111111"
CHILD = "222222222222"
ROLE = f"arn:aws:iam::{CHILD}:role/Admin"
ROOT = f"arn:aws:iam::{MASTER}:root"
BOUNDARY = f"arn:aws:iam::{MASTER}:policy/boundary"


def policy(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def allow(resource: str = ROLE, **fields: Any) -> dict[str, Any]:
    return {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": resource, **fields}


def trust(principal: Any = None, **fields: Any) -> dict[str, Any]:
    statement = {"Effect": "Allow", "Action": "sts:AssumeRole", **fields}
    return policy({**statement, "Principal": principal or {"AWS": ROOT}})


MFA = {"Bool": {"aws:MultiFactorAuthPresent": "true"}}


def master(**user: Any) -> AccountDetails:
    """The master with one user, alice, in group ops (granting ROLE), and ``user``'s fields."""
    group = {
        "GroupName": "ops",
        "Arn": f"arn:aws:iam::{MASTER}:group/ops",
        "GroupPolicyList": [{"PolicyName": "grant", "PolicyDocument": policy(allow(Sid="Ops"))}],
    }
    alice = {"UserName": "alice", "Arn": f"arn:aws:iam::{MASTER}:user/alice", "UserId": "AIDA1"}
    return parse_details(
        MASTER, [{"UserDetailList": [{**alice, **user}], "GroupDetailList": [group]}]
    )


def alice(**user: Any) -> Identity:
    return identities(master(**user))[0]


# --- details --------------------------------------------------------------------------------


def test_pages_merge_and_documents_are_read_in_any_encoding() -> None:
    encoded = urllib.parse.quote(json.dumps(policy(allow())))
    pages = [
        {"UserDetailList": [{"UserName": "zed", "Arn": "arn:aws:iam::1:user/zed"}]},
        {
            "UserDetailList": [
                {
                    "UserName": "amy",
                    "Arn": "arn:aws:iam::1:user/amy",
                    "UserPolicyList": [{"PolicyName": "p", "PolicyDocument": encoded}],
                    "PermissionsBoundary": {"PermissionsBoundaryArn": BOUNDARY},
                }
            ],
            "Policies": [
                {
                    "Arn": BOUNDARY,
                    "PolicyVersionList": [
                        {"Document": json.dumps(policy(allow("old"))), "IsDefaultVersion": False},
                        {"Document": policy(allow("new")), "IsDefaultVersion": True},
                    ],
                }
            ],
            "RoleDetailList": [
                {
                    "RoleName": "r",
                    "Arn": "arn:aws:iam::1:role/aws-service-role/x/r",
                    "Path": "/aws-service-role/x/",
                    "AssumeRolePolicyDocument": "not json",
                }
            ],
        },
    ]
    details = parse_details("1", pages)
    assert [u.name for u in details.users] == ["amy", "zed"]
    assert details.users[0].inline[0].document == policy(allow())
    assert details.policies[BOUNDARY]["Statement"][0]["Resource"] == "new"
    assert details.attached_arns() == {BOUNDARY}
    assert details.roles[0].trust is None and details.roles[0].service_linked


# --- reach -----------------------------------------------------------------------------------


def test_a_group_grant_is_named_with_its_statement() -> None:
    found = assumption(alice(GroupList=["ops"]), ROLE, trust())
    assert (found.allowed, found.mfa_required) == (True, False)
    assert found.via == ("group ops: inline policy grant (statement Ops)",)


def test_mfa_in_the_trust_or_the_grant_makes_it_mfa_only() -> None:
    assert assumption(alice(GroupList=["ops"]), ROLE, trust(Condition=MFA)).mfa_required
    own = {"PolicyName": "own", "PolicyDocument": policy(allow(Condition=MFA))}
    found = assumption(alice(UserPolicyList=[own]), ROLE, trust())
    assert (found.allowed, found.mfa_required) == (True, True)
    assert found.via == ("user alice: inline policy own (statement 1)",)


def test_without_any_grant_it_says_why() -> None:
    assert assumption(alice(), ROLE, trust()).reason == "no_identity_allow"
    assert assumption(alice(GroupList=["ops"]), ROLE, None).reason == "no_trust_allow"
    other = trust({"AWS": f"arn:aws:iam::{CHILD}:root"})
    assert not assumption(alice(GroupList=["ops"]), ROLE, other).allowed


def test_a_boundary_the_caller_cannot_read_allows_nothing() -> None:
    user = {"GroupList": ["ops"], "PermissionsBoundary": {"PermissionsBoundaryArn": BOUNDARY}}
    assert assumption(alice(**user), ROLE, trust()).reason == "boundary"


def test_a_managed_policy_not_read_grants_nothing() -> None:
    attached = [{"PolicyName": "x", "PolicyArn": "arn:aws:iam::aws:policy/X"}]
    assert not assumption(alice(AttachedManagedPolicies=attached), ROLE, trust()).allowed


def test_a_trust_naming_a_user_of_its_own_account_needs_no_grant() -> None:
    own_role = f"arn:aws:iam::{MASTER}:role/Local"
    named = trust({"AWS": f"arn:aws:iam::{MASTER}:user/alice"})
    found = assumption(alice(), own_role, named)
    assert found.allowed and found.via == ("trust policy: names the principal itself",)
    assert not assumption(alice(), own_role, trust()).allowed  # the account: a grant is needed


def test_roles_are_callers_too_and_only_users_pass_a_users_only_trust() -> None:
    role = {
        "RoleName": "ci",
        "Arn": f"arn:aws:iam::{MASTER}:role/ci",
        "RoleId": "AROA1",
        "RolePolicyList": [{"PolicyName": "p", "PolicyDocument": policy(allow())}],
    }
    ci = identities(parse_details(MASTER, [{"RoleDetailList": [role]}]))[0]
    assert ci.kind == "AssumedRole"
    assert assumption(ci, ROLE, trust()).allowed
    users_only = trust(Condition={"StringEquals": {"aws:PrincipalType": "User"}})
    assert not assumption(ci, ROLE, users_only).allowed
    assert assumption(alice(GroupList=["ops"]), ROLE, users_only).allowed


def test_the_context_is_as_aws_builds_it() -> None:
    user = alice()
    assert request_context(user, mfa=False) == {
        "aws:PrincipalArn": user.arn,
        "aws:PrincipalAccount": MASTER,
        "aws:PrincipalType": "User",
        "aws:userid": "AIDA1",
        "aws:username": "alice",
    }
    with_mfa = request_context(user, mfa=True)
    assert (with_mfa["aws:MultiFactorAuthPresent"], with_mfa["aws:MultiFactorAuthAge"]) == (
        "true",
        "0",
    )


def test_the_quick_test_never_rules_out_what_may_be_allowed() -> None:
    wild = {"PolicyName": "w", "PolicyDocument": policy(allow("arn:aws:iam::*:role/Ad?in"))}
    assert may_assume(alice(UserPolicyList=[wild]), ROLE)
    assert may_assume(alice(GroupList=["ops"]), ROLE)  # exact, its MFA condition aside
    assert not may_assume(alice(), ROLE)  # nothing names it
    assert may_assume(alice(), f"arn:aws:iam::{MASTER}:role/Local")  # the trust alone may do


def test_what_counts_as_could_allow_anything() -> None:
    def scope(*statements: dict[str, Any]) -> Any:
        return allow_scope([policy(*statements)], "sts:AssumeRole")

    assert scope({**allow(), "Resource": "arn:aws:iam::*:role/${aws:username}"}).anything
    not_resource = {"Effect": "Allow", "Action": "sts:*", "NotResource": ROLE}
    assert scope(not_resource).anything
    assert not scope({**allow(), "Effect": "Deny"}).may_allow(ROLE)
    other = {"Effect": "Allow", "NotAction": "sts:AssumeRole", "Resource": "*"}
    assert not scope(other).may_allow(ROLE)
    assert scope({**allow(), "Action": "STS:assumerole"}).may_allow(ROLE)


# --- outside ---------------------------------------------------------------------------------


def test_other_accounts_are_outside_and_the_trusted_one_is_not() -> None:
    document = policy(
        {
            "Sid": "Master",
            "Effect": "Allow",
            "Action": "sts:AssumeRole",
            "Principal": {"AWS": ROOT},
        },
        {
            "Sid": "Vendor",
            "Effect": "Allow",
            "Action": "sts:AssumeRole",
            "Principal": {"AWS": ["999999999999", "arn:aws:iam::888888888888:role/x"]},
            "Condition": {"StringEquals": {"sts:ExternalId": "secret"}, **MFA},
        },
        {
            "Effect": "Allow",
            "Action": "sts:AssumeRoleWithWebIdentity",
            "Principal": {"Federated": "token.actions.githubusercontent.com"},
        },
        {
            "Effect": "Allow",
            "Action": "sts:AssumeRole",
            "Principal": {"Service": "ec2.amazonaws.com"},
        },
    )
    via = ("trust policy of role Admin (statement Vendor)",)
    assert outside_principals(document, ROLE, MASTER) == (
        OutsidePrincipal("arn:aws:iam::888888888888:role/x", True, via),
        OutsidePrincipal("arn:aws:iam::999999999999:root", True, via),
    )


def test_anyone_and_not_principal_are_outside() -> None:
    assert [o.principal for o in outside_principals(trust("*"), ROLE, MASTER)] == ["*"]
    everyone_else = policy(
        {"Effect": "Allow", "Action": "sts:AssumeRole", "NotPrincipal": {"AWS": ROOT}}
    )
    assert [o.principal for o in outside_principals(everyone_else, ROLE, MASTER)] == ["*"]


def test_a_deny_or_another_action_admits_no_one() -> None:
    denied = policy(
        {"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"AWS": "999999999999"}},
        {"Effect": "Deny", "Action": "sts:AssumeRole", "Principal": "*"},
    )
    assert outside_principals(denied, ROLE, MASTER) == ()
    tagging = trust({"AWS": "999999999999"}, Action="sts:TagSession")
    assert outside_principals(tagging, ROLE, MASTER) == ()
    assert outside_principals(None, ROLE, MASTER) == ()

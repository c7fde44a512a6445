"""`access verify`'s comparison, from IAM records alone: the IAM orgtf deploys for an org.yaml
(as ``GetAccountAuthorizationDetails`` pages), changed out of band one way at a time, against
the access org.yaml declares; and the report's text, JSON and Markdown."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from orgtf.access.verify import (
    ExtraAccess,
    MfaDifference,
    MissingAccess,
    VerifyReport,
    verify_access,
)
from orgtf.access.verify_format import format_verify
from orgtf.config import Organization, RoleRef, load_organization_text
from orgtf.config.policy import RoleGrant, grant_document, trust_policy
from orgtf.iam.details import AccountDetails, parse_details

MASTER, PROD, DEV, VENDOR = "111111111111", "222222222222", "333333333333", "999999999999"
AUDITOR = f"arn:aws:iam::{VENDOR}:role/Auditor"
ORG = f"""\
organization:
  name: verifyorg
  master_account: master
  access_role: OrgAccess
accounts:
  master: {{id: "{MASTER}"}}
  prod: {{id: "{PROD}", protected: true, require_mfa: true}}
  dev: {{id: "{DEV}"}}
roles:
  Admin:
    accounts: [prod, dev]
    managed_policy_arns: [arn:aws:iam::aws:policy/AdministratorAccess]
  ReadOnly:
    accounts: [prod, dev]
    path: /audit/
    managed_policy_arns: [arn:aws:iam::aws:policy/ReadOnlyAccess]
    trust: {{extra_principals: ["{AUDITOR}"]}}
groups:
  admins: {{roles: [prod/Admin, dev/Admin]}}
  readers: {{roles: [prod/ReadOnly, dev/ReadOnly]}}
users:
  alice: {{groups: [admins]}}
  bob: {{groups: [readers], path: /staff/}}
"""
ALICE = f"arn:aws:iam::{MASTER}:user/alice"
BOB = f"arn:aws:iam::{MASTER}:user/staff/bob"
OPERATOR = f"arn:aws:iam::{MASTER}:user/operator"
ADMIN = "arn:aws:iam::aws:policy/AdministratorAccess"
DEV_ADMIN = f"arn:aws:iam::{DEV}:role/Admin"
PROD_ADMIN = f"arn:aws:iam::{PROD}:role/Admin"
DEV_READ = f"arn:aws:iam::{DEV}:role/audit/ReadOnly"
PROD_READ = f"arn:aws:iam::{PROD}:role/audit/ReadOnly"
GRANT = "inline policy orgtf-assume-roles"


@pytest.fixture(scope="module")
def org() -> Organization:
    return load_organization_text(ORG, Path("org.yaml"))


def assume(*resources: str, sid: str = "Granted", **fields: Any) -> dict[str, Any]:
    statement = {"Sid": sid, "Effect": "Allow", "Action": "sts:AssumeRole", **fields}
    return {"Version": "2012-10-17", "Statement": [{**statement, "Resource": list(resources)}]}


def deployed(org: Organization) -> dict[str, dict[str, Any]]:
    """Each account's GetAccountAuthorizationDetails page, as orgtf's apply leaves it, plus
    the operator (an administrator of the master) the IAM is read with."""
    groups = []
    for name, group in sorted(org.config.groups.items()):
        refs = org.group_roles(group)
        grants = [RoleGrant(org.role_arn(ref), org.requires_mfa(ref)) for ref in refs]
        policy = {"PolicyName": "orgtf-assume-roles", "PolicyDocument": grant_document(grants)}
        groups.append(
            {
                "GroupName": name,
                "Arn": f"arn:aws:iam::{MASTER}:group/{name}",
                "GroupPolicyList": [policy],
            }
        )
    users = [
        {
            "UserName": name,
            "Arn": iam(MASTER, "user", user.path, name),
            "UserId": f"AIDA{name}",
            "GroupList": list(user.groups),
        }
        for name, user in org.config.users.items()
    ]
    users.append(
        {
            "UserName": "operator",
            "Arn": OPERATOR,
            "UserId": "AIDAOPERATOR",
            "AttachedManagedPolicies": [{"PolicyName": "AdministratorAccess", "PolicyArn": ADMIN}],
        }
    )
    pages = {
        org.master_name: {
            "UserDetailList": users,
            "GroupDetailList": groups,
            "Policies": [managed(ADMIN, {"Action": "*", "Resource": "*"})],
        }
    }
    for account in org.account_names()[1:]:
        account_id = org.account(account).id
        roles = [role_item(account_id, "OrgAccess", "/", trust_policy(MASTER, False, 3600))]
        for name, role in org.roles_in(account).items():
            ref, trust = RoleRef(account, name), org.trust(name)
            document = trust_policy(
                MASTER,
                org.requires_mfa(ref),
                role.mfa_max_age,
                principals=trust.principals,
                extra_principals=trust.extra_principals,
            )
            roles.append(role_item(account_id, name, role.path, document))
        pages[account] = {"RoleDetailList": roles}
    return pages


def iam(account: str, kind: str, path: str, name: str) -> str:
    return f"arn:aws:iam::{account}:{kind}{path}{name}"


def managed(arn: str, statement: dict[str, Any]) -> dict[str, Any]:
    document = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", **statement}]}
    return {
        "Arn": arn,
        "PolicyVersionList": [
            {"Document": json.dumps(document), "IsDefaultVersion": True, "VersionId": "v1"}
        ],
    }


def role_item(account: str, name: str, path: str, trust: dict[str, Any]) -> dict[str, Any]:
    return {
        "RoleName": name,
        "Path": path,
        "Arn": iam(account, "role", path, name),
        "RoleId": f"AROA{name}",
        "AssumeRolePolicyDocument": trust,
    }


def verify(org: Organization, pages: dict[str, dict[str, Any]]) -> VerifyReport:
    details = {name: read(org, name, page) for name, page in pages.items()}
    return verify_access(org, details, source="AWS", skip=(OPERATOR,))


def read(org: Organization, account: str, page: dict[str, Any]) -> AccountDetails:
    return parse_details(org.account(account).id, [page])


def role(pages: dict[str, dict[str, Any]], account: str, name: str) -> dict[str, Any]:
    return next(r for r in pages[account]["RoleDetailList"] if r["RoleName"] == name)


def user(pages: dict[str, dict[str, Any]], name: str) -> dict[str, Any]:
    return next(u for u in pages["master"]["UserDetailList"] if u["UserName"] == name)


def test_what_orgtf_deploys_verifies_clean(org: Organization) -> None:
    report = verify(org, deployed(org))
    assert (report.extra, report.missing, report.mfa) == ((), (), ())
    assert not report.differs
    assert (report.declared, report.effective, report.roles) == (4, 4, 6)
    assert report.principals == 3 and report.skipped == (OPERATOR,)
    assert report.accounts == ("master", "dev", "prod")


def test_a_user_added_to_a_group_out_of_band_is_extra(org: Organization) -> None:
    pages = deployed(org)
    user(pages, "bob")["GroupList"].append("admins")
    via = f"group admins: {GRANT} (statement AssumeRoles)"
    mfa_via = f"group admins: {GRANT} (statement AssumeRolesWithMFA)"
    assert verify(org, pages).extra == (  # sorted by principal, then role ARN
        ExtraAccess(BOB, PROD_ADMIN, mfa_via, mfa=True),
        ExtraAccess(BOB, DEV_ADMIN, via, mfa=False),
    )


def test_a_user_policy_granting_a_role_is_extra(org: Organization) -> None:
    pages = deployed(org)
    policy = {"PolicyName": "break-glass", "PolicyDocument": assume(PROD_ADMIN, sid="BreakGlass")}
    user(pages, "bob")["UserPolicyList"] = [policy]
    report = verify(org, pages)
    via = "user bob: inline policy break-glass (statement BreakGlass)"
    assert report.extra == (ExtraAccess(BOB, PROD_ADMIN, via, mfa=True),)
    assert (report.missing, report.mfa) == ((), ())


def test_a_wildcard_grant_reaches_every_role_and_the_access_roles(org: Organization) -> None:
    pages = deployed(org)
    pages["master"]["UserDetailList"].append(
        {
            "UserName": "eve",
            "Arn": iam(MASTER, "user", "/", "eve"),
            "UserId": "AIDAEVE",
            "UserPolicyList": [
                {"PolicyName": "all", "PolicyDocument": assume("arn:aws:iam::*:role/*")}
            ],
        }
    )
    extra = verify(org, pages).extra
    eve = iam(MASTER, "user", "/", "eve")
    reached = {(e.role_arn, e.mfa) for e in extra if e.principal == eve}
    assert reached == {
        (DEV_ADMIN, False),
        (DEV_READ, False),
        (iam(DEV, "role", "/", "OrgAccess"), False),
        (PROD_ADMIN, True),
        (PROD_READ, True),
        (iam(PROD, "role", "/", "OrgAccess"), False),
    }
    assert {e.via for e in extra} == {"user eve: inline policy all (statement Granted)"}


def test_a_master_role_with_a_grant_is_extra_unless_the_trust_admits_only_users(
    org: Organization,
) -> None:
    pages = deployed(org)
    ci = role_item(MASTER, "ci", "/", {"Version": "2012-10-17", "Statement": []})
    ci["RolePolicyList"] = [{"PolicyName": "deploy", "PolicyDocument": assume(DEV_ADMIN)}]
    pages["master"]["RoleDetailList"] = [ci]
    via = "role ci: inline policy deploy (statement Granted)"
    ci_arn = iam(MASTER, "role", "/", "ci")
    assert verify(org, pages).extra == (ExtraAccess(ci_arn, DEV_ADMIN, via, mfa=False),)

    narrowed = load_organization_text(
        ORG.replace(
            "access_role: OrgAccess", "access_role: OrgAccess\n  trust: {principals: iam_users}"
        ),
        Path("org.yaml"),
    )
    pages = deployed(narrowed)
    pages["master"]["RoleDetailList"] = [ci]
    assert verify(narrowed, pages).extra == ()


def test_a_role_trusting_a_third_party_is_extra(org: Organization) -> None:
    pages = deployed(org)
    trust = role(pages, "dev", "Admin")["AssumeRolePolicyDocument"]
    vendor = {
        "Sid": "Vendor",
        "Effect": "Allow",
        "Principal": {"AWS": VENDOR},
        "Action": "sts:AssumeRole",
        "Condition": {"StringEquals": {"sts:ExternalId": "x"}},
    }
    trust["Statement"].append(vendor)
    report = verify(org, pages)
    via = "trust policy of role Admin (statement Vendor)"
    assert report.extra == (ExtraAccess(f"arn:aws:iam::{VENDOR}:root", DEV_ADMIN, via, mfa=False),)


def test_a_role_trusting_anyone_is_extra_and_declared_extra_principals_are_not(
    org: Organization,
) -> None:
    pages = deployed(org)
    trust = role(pages, "prod", "OrgAccess")["AssumeRolePolicyDocument"]
    trust["Statement"].append({"Effect": "Allow", "Principal": "*", "Action": "sts:AssumeRole"})
    via = "trust policy of role OrgAccess (statement 2)"
    # The Auditor of the vendor account is declared for ReadOnly: never reported.
    assert verify(org, pages).extra == (
        ExtraAccess("*", iam(PROD, "role", "/", "OrgAccess"), via, mfa=False),
    )


def test_a_role_deleted_by_hand_is_missing(org: Organization) -> None:
    pages = deployed(org)
    pages["dev"]["RoleDetailList"].remove(role(pages, "dev", "ReadOnly"))
    report = verify(org, pages)
    assert report.missing == (
        MissingAccess(BOB, DEV_READ, "org.yaml: group readers", "the role does not exist"),
    )
    assert report.extra == report.mfa == ()


def test_a_user_left_out_of_a_group_or_deleted_is_missing(org: Organization) -> None:
    pages = deployed(org)
    user(pages, "alice")["GroupList"] = []
    pages["master"]["UserDetailList"].remove(user(pages, "bob"))
    missing = verify(org, pages).missing
    lost = "no policy of the user allows it"
    assert [(m.principal, m.role_arn, m.reason) for m in missing] == [
        (ALICE, PROD_ADMIN, lost),
        (ALICE, DEV_ADMIN, lost),
        (BOB, PROD_READ, "the user does not exist"),
        (BOB, DEV_READ, "the user does not exist"),
    ]


def test_mfa_removed_from_a_trust_policy_by_hand_differs(org: Organization) -> None:
    pages = deployed(org)
    role(pages, "prod", "Admin")["AssumeRolePolicyDocument"]["Statement"][0].pop("Condition")
    report = verify(org, pages)
    root = f"arn:aws:iam::{MASTER}:root"
    via = "trust policy of role Admin"
    assert report.mfa == (MfaDifference(root, PROD_ADMIN, via, True, False),)
    # alice's group policy still asks for MFA: her own access needs it as declared.
    assert report.extra == report.missing == ()


def test_a_grant_without_its_mfa_condition_differs_for_the_user(org: Organization) -> None:
    pages = deployed(org)
    for page in pages.values():
        for item in page.get("RoleDetailList", []):
            for statement in item["AssumeRolePolicyDocument"]["Statement"]:
                statement.pop("Condition", None)
    report = verify(org, pages)
    assert {(m.principal, m.role_arn) for m in report.mfa} == {
        (f"arn:aws:iam::{MASTER}:root", PROD_ADMIN),
        (f"arn:aws:iam::{MASTER}:root", PROD_READ),
    }
    group = next(g for g in pages["master"]["GroupDetailList"] if g["GroupName"] == "readers")
    for statement in group["GroupPolicyList"][0]["PolicyDocument"]["Statement"]:
        statement.pop("Condition", None)
    pair = [m for m in verify(org, pages).mfa if m.principal == BOB]
    via = f"group readers: {GRANT} (statement AssumeRolesWithMFA)"
    assert pair == [MfaDifference(BOB, PROD_READ, via, True, False)]


def test_an_explicit_deny_makes_a_declared_grant_missing(org: Organization) -> None:
    pages = deployed(org)
    deny = assume(DEV_ADMIN)
    deny["Statement"][0]["Effect"] = "Deny"
    user(pages, "alice")["UserPolicyList"] = [{"PolicyName": "deny", "PolicyDocument": deny}]
    missing = verify(org, pages).missing
    assert [(m.role_arn, m.reason) for m in missing] == [(DEV_ADMIN, "an explicit Deny refuses it")]


# --- the report's forms ----------------------------------------------------------------------


def changed(org: Organization) -> VerifyReport:
    """One of each: bob in admins, dev/ReadOnly deleted, prod/Admin's MFA removed."""
    pages = deployed(org)
    user(pages, "bob")["GroupList"].append("admins")
    pages["dev"]["RoleDetailList"].remove(role(pages, "dev", "ReadOnly"))
    role(pages, "prod", "Admin")["AssumeRolePolicyDocument"]["Statement"][0].pop("Condition")
    return verify(org, pages)


def test_json_has_the_three_lists_and_a_summary(org: Organization) -> None:
    data = json.loads(format_verify(changed(org), "json"))
    assert data["extra"] == [
        {
            "principal": BOB,
            "role_arn": PROD_ADMIN,
            "via": f"group admins: {GRANT} (statement AssumeRolesWithMFA)",
            "mfa": True,
        },
        {
            "principal": BOB,
            "role_arn": DEV_ADMIN,
            "via": f"group admins: {GRANT} (statement AssumeRoles)",
            "mfa": False,
        },
    ]
    assert data["missing"] == [
        {
            "principal": BOB,
            "role_arn": DEV_READ,
            "via": "org.yaml: group readers",
            "reason": "the role does not exist",
        }
    ]
    assert data["mfa"] == [
        {
            "principal": f"arn:aws:iam::{MASTER}:root",
            "role_arn": PROD_ADMIN,
            "via": "trust policy of role Admin",
            "declared_mfa": True,
            "effective_mfa": False,
        }
    ]
    assert data["not_compared"] == [OPERATOR]
    assert data["summary"] == {
        "differs": True,
        "declared": 4,
        "effective": 5,
        "principals": 3,
        "roles": 5,
    }


def test_text_lists_each_section_and_sums_up(org: Organization) -> None:
    text = format_verify(changed(org), "text")
    assert text.startswith("Access in organization verifyorg in AWS, against org.yaml\n")
    for title in (
        "Extra: effective, not in org.yaml:",
        "Missing: in org.yaml, not effective:",
        "MFA differs:",
    ):
        assert f"\n\n{title}\n  PRINCIPAL" in text
    assert text.endswith("\nSummary: 2 extra, 1 missing, 1 MFA difference\n")
    clean = format_verify(verify(org, deployed(org)), "text")
    assert clean.endswith(
        "Summary: effective access equals org.yaml (4 declared grants, 3 principals of the "
        "master, 6 roles in 3 accounts)\n"
    )


def test_markdown_escapes_what_iam_holds(org: Organization) -> None:
    pages = deployed(org)
    policy = {"PolicyName": "x|<b>", "PolicyDocument": assume(DEV_ADMIN, sid="S")}
    user(pages, "bob")["UserPolicyList"] = [policy]
    markdown = format_verify(verify(org, pages), "markdown")
    assert markdown.startswith("### orgtf access verify: `verifyorg` in AWS\n\n")
    assert "**1 extra, 0 missing, 0 MFA differences**" in markdown
    assert (
        f"| `{BOB}` | `{DEV_ADMIN}` | no | user bob: inline policy x&#124;&#60;b&#62; (statement S) |"
        in markdown
    )
    assert "<b>" not in markdown


def test_the_forms_are_stable(org: Organization) -> None:
    for fmt in ("text", "json", "markdown"):
        assert format_verify(changed(org), fmt) == format_verify(changed(org), fmt)

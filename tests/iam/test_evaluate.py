"""The policy evaluator against AWS's documented evaluation logic: effects, wildcards,
principals, condition operators, and how identity and trust policies combine for a role."""

from __future__ import annotations

from typing import Any

import pytest

from orgtf.iam.conditions import conditions_hold, substitute, wildcard_match
from orgtf.iam.evaluate import (
    Decision,
    Principal,
    Request,
    authorize_assume_role,
    evaluate,
    names_caller,
)

MASTER = "111111111111"
CHILD = "222222222222"
ALICE = f"arn:aws:iam::{MASTER}:user/alice"
ROLE = f"arn:aws:iam::{CHILD}:role/Admin"
USER = Principal(MASTER, (ALICE,))
ASSUME = "sts:AssumeRole"


def request(
    context: dict[str, Any] | None = None, *, resource: str = ROLE, principal: Principal = USER
) -> Request:
    return Request(ASSUME, resource, principal, context or {})


def policy(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def allow(**fields: Any) -> dict[str, Any]:
    return {"Effect": "Allow", "Action": ASSUME, "Resource": "*", **fields}


def deny(**fields: Any) -> dict[str, Any]:
    return {**allow(**fields), "Effect": "Deny"}


def trust(principal: Any = None, **fields: Any) -> dict[str, Any]:
    principal = principal or {"AWS": f"arn:aws:iam::{MASTER}:root"}
    return policy({"Effect": "Allow", "Principal": principal, "Action": ASSUME, **fields})


# --- one set of policies -------------------------------------------------------------------


def test_an_explicit_deny_wins_over_any_allow() -> None:
    documents = [policy(allow()), policy(deny(Resource=ROLE)), policy(allow(Resource=ROLE))]
    assert evaluate(documents, request()) is Decision.DENY


def test_nothing_applying_is_an_implicit_deny() -> None:
    assert evaluate([], request()) is Decision.NONE
    assert evaluate([policy(allow(Action="s3:*"))], request()) is Decision.NONE
    assert evaluate([policy(deny(Resource="arn:aws:iam::*:role/Other"))], request()) is (
        Decision.NONE
    )


def test_a_single_statement_may_stand_without_a_list() -> None:
    assert evaluate([{"Statement": allow()}], request()) is Decision.ALLOW


@pytest.mark.parametrize(
    ("action", "applies"),
    [
        ("sts:AssumeRole", True),
        ("STS:assumerole", True),  # actions are case-insensitive
        ("sts:Assume*", True),
        ("sts:AssumeRol?", True),
        ("*", True),
        ("sts:*", True),
        ("sts:AssumeRoleWith*", False),
        ("iam:*", False),
    ],
)
def test_actions_match_with_wildcards_and_any_case(action: str, applies: bool) -> None:
    decision = evaluate([policy(allow(Action=[action]))], request())
    assert decision is (Decision.ALLOW if applies else Decision.NONE)


def test_not_action_applies_to_every_other_action() -> None:
    assert evaluate([policy(deny(Action=None, NotAction="iam:*"))], request()) is Decision.DENY
    statement = {"Effect": "Deny", "NotAction": ["sts:*"], "Resource": "*"}
    assert evaluate([policy(statement)], request()) is Decision.NONE


@pytest.mark.parametrize(
    ("resource", "applies"),
    [
        (ROLE, True),
        ("*", True),
        ("arn:aws:iam::*:role/*", True),
        (f"arn:aws:iam::{CHILD}:role/Adm?n", True),
        (f"arn:aws:iam::{CHILD}:role/admin", False),  # resources are case-sensitive
        (f"arn:aws:iam::{MASTER}:role/*", False),
        (f"arn:aws:iam::{CHILD}:role/Admin2", False),
    ],
)
def test_resources_match_with_wildcards_and_case(resource: str, applies: bool) -> None:
    decision = evaluate([policy(allow(Resource=[resource]))], request())
    assert decision is (Decision.ALLOW if applies else Decision.NONE)


def test_not_resource_applies_to_every_other_resource() -> None:
    assert evaluate([policy(allow(Resource=None, NotResource=ROLE))], request()) is Decision.NONE
    other = f"arn:aws:iam::{CHILD}:role/Other"
    assert evaluate([policy(allow(Resource=None, NotResource=[other]))], request()) is (
        Decision.ALLOW
    )


def test_policy_variables_are_replaced_and_an_unknown_one_matches_nothing() -> None:
    own = allow(Resource=f"arn:aws:iam::{CHILD}:role/${{aws:username}}-*")
    mine = request({"aws:username": "alice"}, resource=f"arn:aws:iam::{CHILD}:role/alice-dev")
    assert evaluate([policy(own)], mine) is Decision.ALLOW
    assert evaluate([policy(own)], request(resource=mine.resource)) is Decision.NONE
    assert substitute("a-${*}-${?}-${$}", {}) == "a-*-?-$"


def test_wildcards_span_slashes_and_colons_but_question_marks_take_one() -> None:
    assert wildcard_match("arn:aws:iam::*", ROLE)
    assert not wildcard_match("arn:aws:iam::?:role/Admin", ROLE)
    assert wildcard_match("STS:*", "sts:AssumeRole", case_sensitive=False)


# --- principals ----------------------------------------------------------------------------

SESSION_ARN = f"arn:aws:sts::{MASTER}:assumed-role/Deployer/ci"
ROLE_ARN = f"arn:aws:iam::{MASTER}:role/Deployer"
SESSION = Principal(MASTER, (SESSION_ARN, ROLE_ARN))


@pytest.mark.parametrize(
    ("principal", "caller", "applies"),
    [
        ("*", USER, True),
        ({"AWS": "*"}, USER, True),
        ({"AWS": f"arn:aws:iam::{MASTER}:root"}, USER, True),
        ({"AWS": MASTER}, USER, True),  # a bare account id means the same
        ({"AWS": [f"arn:aws:iam::{CHILD}:root"]}, USER, False),
        ({"AWS": ALICE}, USER, True),
        ({"AWS": f"arn:aws:iam::{MASTER}:user/bob"}, USER, False),
        ({"AWS": ROLE_ARN}, SESSION, True),  # a role names its sessions
        ({"AWS": SESSION_ARN}, SESSION, True),
        ({"AWS": ROLE_ARN}, USER, False),
        ({"Service": "ec2.amazonaws.com"}, USER, False),
        ({"Federated": f"arn:aws:iam::{MASTER}:saml-provider/idp"}, USER, False),
    ],
)
def test_principals_name_accounts_users_roles_and_sessions(
    principal: Any, caller: Principal, applies: bool
) -> None:
    decision = evaluate([trust(principal)], request(principal=caller))
    assert decision is (Decision.ALLOW if applies else Decision.NONE)


def test_not_principal_applies_to_everyone_else() -> None:
    statement = {"Effect": "Deny", "NotPrincipal": {"AWS": ALICE}, "Action": ASSUME}
    bob = Principal(MASTER, (f"arn:aws:iam::{MASTER}:user/bob",))
    assert evaluate([policy(statement)], request(principal=bob)) is Decision.DENY
    assert evaluate([policy(statement)], request()) is Decision.NONE


def test_a_trust_policy_names_the_caller_itself_only_by_its_arn() -> None:
    assert names_caller([trust({"AWS": ALICE})], request())
    assert not names_caller([trust()], request())
    assert not names_caller([trust("*")], request())


# --- conditions ----------------------------------------------------------------------------

MFA = {"aws:MultiFactorAuthPresent": "true", "aws:MultiFactorAuthAge": "0"}


def holds(condition: dict[str, Any], context: dict[str, Any], *, unknown: bool = False) -> bool:
    return conditions_hold(condition, context, unknown=unknown)


def test_bool_needs_the_key_and_if_exists_does_not() -> None:
    needs_mfa = {"Bool": {"aws:MultiFactorAuthPresent": "true"}}
    assert holds(needs_mfa, MFA)
    assert not holds(needs_mfa, {})  # long-term keys without MFA: the key is absent
    assert not holds(needs_mfa, {"aws:MultiFactorAuthPresent": "false"})
    assert holds({"Bool": {"aws:MultiFactorAuthPresent": True}}, MFA)  # a JSON true
    no_mfa = {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}
    assert holds(no_mfa, {}) and holds(no_mfa, {"aws:MultiFactorAuthPresent": "false"})
    assert not holds(no_mfa, MFA)


def test_deny_without_mfa_as_aws_documents_it() -> None:
    """The documented guard: Deny with BoolIfExists false denies keys without MFA too."""
    guard = deny(Condition={"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}})
    documents = [policy(allow(), guard)]
    assert evaluate(documents, request()) is Decision.DENY
    assert evaluate(documents, request({"aws:MultiFactorAuthPresent": "false"})) is Decision.DENY
    assert evaluate(documents, request(MFA)) is Decision.ALLOW


@pytest.mark.parametrize(
    ("operator", "age", "result"),
    [
        ("NumericLessThan", "899", True),
        ("NumericLessThan", "900", False),
        ("NumericLessThanEquals", "900", True),
        ("NumericLessThanEquals", "901", False),
        ("NumericGreaterThan", "901", True),
        ("NumericEquals", "900.0", True),
        ("NumericNotEquals", "900", False),
        ("NumericLessThan", "soon", False),
    ],
)
def test_numeric_operators(operator: str, age: str, result: bool) -> None:
    condition = {operator: {"aws:MultiFactorAuthAge": "900"}}
    assert holds(condition, {"aws:MultiFactorAuthAge": age}) is result


def test_a_numeric_test_of_an_absent_key_fails() -> None:
    assert not holds({"NumericLessThan": {"aws:MultiFactorAuthAge": 900}}, {})
    assert holds({"NumericLessThanIfExists": {"aws:MultiFactorAuthAge": 900}}, {})


def test_string_operators() -> None:
    context = {"sts:ExternalId": "Secret-1"}
    assert holds({"StringEquals": {"sts:ExternalId": ["x", "Secret-1"]}}, context)  # any value
    assert not holds({"StringEquals": {"sts:ExternalId": "secret-1"}}, context)
    assert holds({"StringEqualsIgnoreCase": {"sts:ExternalId": "secret-1"}}, context)
    assert holds({"StringLike": {"sts:ExternalId": "Secret-?"}}, context)
    assert not holds({"StringLike": {"sts:ExternalId": "Other*"}}, context)
    assert holds({"StringNotEquals": {"sts:ExternalId": ["x", "y"]}}, context)
    assert not holds({"StringNotEquals": {"sts:ExternalId": ["x", "Secret-1"]}}, context)
    assert holds({"StringNotLike": {"sts:ExternalId": "x*"}}, context)
    assert not holds({"StringEquals": {"sts:ExternalId": "Secret-1"}}, {})


def test_condition_keys_are_case_insensitive_values_are_not() -> None:
    assert holds({"StringEquals": {"STS:EXTERNALID": "a"}}, {"sts:ExternalId": "a"})
    assert not holds({"StringEquals": {"sts:externalid": "A"}}, {"sts:ExternalId": "a"})


def test_a_negated_operator_holds_when_the_key_is_absent() -> None:
    assert holds({"StringNotEquals": {"sts:ExternalId": "x"}}, {})
    assert holds({"ArnNotLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/*"}}, {})


def test_arn_operators_match_each_part_on_its_own() -> None:
    context = {"aws:PrincipalArn": ALICE}
    assert holds({"ArnLike": {"aws:PrincipalArn": f"arn:aws:iam::{MASTER}:user/*"}}, context)
    assert holds({"ArnEquals": {"aws:PrincipalArn": ALICE}}, context)
    assert not holds({"ArnLike": {"aws:PrincipalArn": f"arn:aws:iam::{MASTER}:role/*"}}, context)
    assert not holds({"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*"}}, context)  # 4 parts
    assert holds({"ArnNotLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/*"}}, context)
    assert not holds({"ArnLikeIfExists": {"aws:PrincipalArn": "arn:aws:s3:::*"}}, context)
    assert holds({"ArnLikeIfExists": {"aws:PrincipalArn": "arn:aws:s3:::*"}}, {})


def test_every_operator_and_every_key_must_hold() -> None:
    condition = {
        "StringEquals": {"aws:PrincipalType": "User", "aws:PrincipalAccount": MASTER},
        "Bool": {"aws:MultiFactorAuthPresent": "true"},
    }
    user = {"aws:PrincipalType": "User", "aws:PrincipalAccount": MASTER}
    assert holds(condition, {**user, **MFA})
    assert not holds(condition, user)
    assert not holds(condition, {**user, "aws:PrincipalType": "AssumedRole", **MFA})


def test_null_tests_for_presence() -> None:
    assert holds({"Null": {"sts:ExternalId": "true"}}, {})
    assert not holds({"Null": {"sts:ExternalId": "true"}}, {"sts:ExternalId": "x"})
    assert holds({"Null": {"sts:ExternalId": "false"}}, {"sts:ExternalId": "x"})


def test_set_qualifiers_on_multivalued_keys() -> None:
    tags = {"aws:TagKeys": ["team", "env"]}
    assert holds({"ForAnyValue:StringEquals": {"aws:TagKeys": ["env"]}}, tags)
    assert not holds({"ForAllValues:StringEquals": {"aws:TagKeys": ["env"]}}, tags)
    assert holds({"ForAllValues:StringEquals": {"aws:TagKeys": ["env", "team", "x"]}}, tags)
    assert holds({"ForAllValues:StringEquals": {"aws:TagKeys": ["env"]}}, {})
    assert not holds({"ForAnyValue:StringEquals": {"aws:TagKeys": ["env"]}}, {})


def test_dates_and_addresses() -> None:
    now = {"aws:CurrentTime": "2026-01-02T03:04:05Z", "aws:SourceIp": "127.0.0.1"}
    assert holds({"DateLessThan": {"aws:CurrentTime": "2027-01-01T00:00:00Z"}}, now)
    assert not holds({"DateGreaterThan": {"aws:CurrentTime": "2027-01-01T00:00:00Z"}}, now)
    assert holds({"IpAddress": {"aws:SourceIp": "127.0.0.0/8"}}, now)
    assert holds({"NotIpAddress": {"aws:SourceIp": "10.0.0.0/8"}}, now)


def test_an_unknown_operator_never_grants_and_still_denies() -> None:
    odd = {"BinaryEquals": {"sts:ExternalId": "eA=="}}
    assert not holds(odd, {"sts:ExternalId": "x"}, unknown=False)
    assert holds(odd, {"sts:ExternalId": "x"}, unknown=True)
    documents = [policy(allow(), deny(Condition=odd))]
    assert evaluate(documents, request()) is Decision.DENY
    assert evaluate([policy(allow(Condition=odd))], request()) is Decision.NONE


def test_condition_values_may_hold_policy_variables() -> None:
    condition = {"StringLike": {"sts:RoleSessionName": "${aws:username}"}}
    assert holds(condition, {"sts:RoleSessionName": "alice", "aws:username": "alice"})
    assert not holds(condition, {"sts:RoleSessionName": "bob", "aws:username": "alice"})
    assert not holds(condition, {"sts:RoleSessionName": "alice"})


# --- a role: identity policies, the trust policy, a boundary -------------------------------

GRANT = policy(allow(Resource=ROLE))


def test_across_accounts_both_the_identity_and_the_trust_policy_must_allow() -> None:
    assert authorize_assume_role(request(), [GRANT], trust()).allowed
    assert authorize_assume_role(request(), [], trust()).reason == "no_identity_allow"
    other = trust({"AWS": f"arn:aws:iam::{CHILD}:root"})
    assert authorize_assume_role(request(), [GRANT], other).reason == "no_trust_allow"
    assert authorize_assume_role(request(), [GRANT], None).reason == "no_trust_allow"  # no role
    named = trust({"AWS": ALICE})  # naming the user does not spare the identity policy
    assert authorize_assume_role(request(), [], named).reason == "no_identity_allow"


def test_in_one_account_a_trust_policy_naming_the_caller_is_enough() -> None:
    local = f"arn:aws:iam::{MASTER}:role/Local"
    mine = request(resource=local)
    assert authorize_assume_role(mine, [], trust({"AWS": ALICE})).allowed
    assert authorize_assume_role(mine, [], trust()).reason == "no_identity_allow"
    assert authorize_assume_role(mine, [policy(allow())], trust()).allowed


def test_a_deny_anywhere_wins() -> None:
    denied = policy(allow(), deny(Resource=ROLE))
    assert authorize_assume_role(request(), [denied], trust()).reason == "explicit_deny"
    refusing = policy(
        {"Effect": "Allow", "Principal": {"AWS": MASTER}, "Action": ASSUME},
        {"Effect": "Deny", "Principal": {"AWS": ALICE}, "Action": ASSUME},
    )
    assert authorize_assume_role(request(), [GRANT], refusing).reason == "explicit_deny"


def test_a_permissions_boundary_must_allow_as_well() -> None:
    narrow = [policy(allow(Resource=f"arn:aws:iam::{CHILD}:role/Other"))]
    assert authorize_assume_role(request(), [GRANT], trust(), narrow).reason == "boundary"
    assert authorize_assume_role(request(), [GRANT], trust(), [GRANT]).allowed
    assert authorize_assume_role(request(), [GRANT], trust(), None).allowed


def test_an_mfa_trust_policy_as_orgtf_writes_it() -> None:
    needs = trust(
        Condition={
            "Bool": {"aws:MultiFactorAuthPresent": "true"},
            "NumericLessThan": {"aws:MultiFactorAuthAge": "900"},
        }
    )
    assert not authorize_assume_role(request(), [GRANT], needs).allowed
    assert authorize_assume_role(request(MFA), [GRANT], needs).allowed
    stale = {**MFA, "aws:MultiFactorAuthAge": "900"}
    assert not authorize_assume_role(request(stale), [GRANT], needs).allowed

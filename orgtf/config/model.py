"""The org.yaml model, format version 1: a closed schema of frozen, typed records.

Field-level rules (types, patterns, ranges, unknown keys) live here; rules that relate
parts of the file to each other live in ``orgtf.config.checks``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, GetCoreSchemaHandler
from pydantic_core import core_schema

# The patterns of IAM's API (botocore's iam service model), anchored as IAM applies them.
IAM_NAME = r"^[A-Za-z0-9_+=,.@-]+$"  # roleNameType, userNameType...: ASCII, as IAM means \w
IAM_PATH = r"^/([\x21-\x7e]+/)?$"  # pathType (roles, users, groups): / or /x.../
POLICY_PATH = r"^(/[A-Za-z0-9.,+@=_-]+)*/$"  # policyPathType (CreatePolicy), narrower
ORG_NAME = r"^[a-z][a-z0-9-]{0,62}$"
REGION = r"^[a-z]{2}(-[a-z]+)+-[0-9]+$"
ACCOUNT_NAME = r"^[a-z][a-z0-9-]{0,57}$"  # the session name orgtf-<account> fits 64
ACCOUNT_ID = r"^[0-9]{12}$"
ROLE_REF = r"^[a-z][a-z0-9-]{0,57}/[A-Za-z0-9_+=,.@-]{1,64}$"

PolicyDocument = dict[str, Any]
RoleName = Annotated[str, Field(min_length=1, max_length=64, pattern=IAM_NAME)]
UserName = Annotated[str, Field(min_length=1, max_length=64, pattern=IAM_NAME)]
GroupName = Annotated[str, Field(min_length=1, max_length=128, pattern=IAM_NAME)]
PolicyName = Annotated[str, Field(min_length=1, max_length=128, pattern=IAM_NAME)]
AccountName = Annotated[str, Field(pattern=ACCOUNT_NAME)]
IamPath = Annotated[str, Field(min_length=1, max_length=512, pattern=IAM_PATH)]
PolicyPath = Annotated[str, Field(min_length=1, max_length=512, pattern=POLICY_PATH)]
TagMap = dict[
    Annotated[str, Field(min_length=1, max_length=128)], Annotated[str, Field(max_length=256)]
]
# The tags every resource gets from the provider's default_tags unless
# organization.default_tags says otherwise, as the provider block in
# orgtf/render/templates/provider.tf.j2 writes them (tests/config/test_tags.py compares them).
DEFAULT_TAGS = {"ManagedBy": "orgtf"}
TAGS_PER_RESOURCE = 50  # IAM's quota for a role, user or policy, default tags included
# The count is checked in orgtf.config.tags, which names the default tags; the schema's
# bound is for editors.
Tags = Annotated[
    TagMap, Field(json_schema_extra={"maxProperties": TAGS_PER_RESOURCE - len(DEFAULT_TAGS)})
]
Description = Annotated[str, Field(max_length=1000)]


@dataclass(frozen=True, order=True)
class RoleRef:
    """A role in one account, written ``account/Role`` in org.yaml and parsed once, there."""

    account: str
    role: str

    @classmethod
    def parse(cls, text: str) -> RoleRef:
        """The reference written ``account/Role`` (no check that either exists)."""
        account, _, role = text.partition("/")
        return cls(account, role)

    def __str__(self) -> str:
        return f"{self.account}/{self.role}"

    @classmethod
    def __get_pydantic_core_schema__(
        cls, source: object, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        """In the model: a string matching ROLE_REF, parsed into a RoleRef, shown as text."""
        return core_schema.no_info_after_validator_function(
            cls.parse,
            core_schema.str_schema(pattern=ROLE_REF),
            serialization=core_schema.to_string_ser_schema(),
        )


class Record(BaseModel):
    """Base of every org.yaml record: unknown keys are errors, values are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=False)


class LocalState(Record):
    """Terraform state in local files beside each rendered account root."""

    backend: Literal["local"] = "local"


class S3State(Record):
    """Terraform state in S3, one key per account, locked with a DynamoDB table."""

    backend: Literal["s3"]
    bucket: Annotated[str, Field(min_length=3, max_length=63, pattern=r"^[a-z0-9][a-z0-9.-]+$")]
    lock_table: Annotated[str, Field(min_length=3, max_length=255, pattern=r"^[A-Za-z0-9_.-]+$")]
    region: Annotated[str, Field(pattern=REGION)] | None = None
    key_prefix: Annotated[
        str, Field(max_length=200, pattern=r"^[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)*$")
    ] = "orgtf"


TrustPrincipals = Literal["any", "iam_users"]
Identity = Literal["iam_users", "identity_center"]
SSO_START_URL = r"^https://[A-Za-z0-9.-]+(/[A-Za-z0-9._~/-]*)?$"


class Trust(Record):
    """Who in the master account a role's trust policy lets assume it (orgtf.config.trust)."""

    principals: TrustPrincipals = "any"
    extra_principals: tuple[str, ...] = ()


class OrganizationSettings(Record):
    """The ``organization:`` section."""

    name: Annotated[str, Field(pattern=ORG_NAME)]
    master_account: str
    region: Annotated[str, Field(pattern=REGION)] = "us-east-1"
    access_role: RoleName = "OrganizationAccountAccessRole"
    state: Annotated[LocalState | S3State, Field(discriminator="backend")] = LocalState()
    trust: Trust = Trust()
    # Tags the provider adds to every role, user and policy; `orgtf import` writes {} so that
    # the first plan of an adopted organization changes nothing.
    default_tags: TagMap = Field(default_factory=lambda: dict(DEFAULT_TAGS))
    # A group every user is in: manage their own password, access keys and MFA device, and
    # nothing else without MFA but sts:AssumeRole (orgtf.config.self_service).
    self_service: bool = True
    # How people get the roles: IAM users in the master account assuming roles, or IAM
    # Identity Center's permission sets and assignments (docs/identity-center.md).
    identity: Identity = "iam_users"
    sso_start_url: Annotated[str, Field(max_length=512, pattern=SSO_START_URL)] | None = None
    keep_iam_roles: bool = False  # with identity_center: keep the IAM side while moving


class Account(Record):
    """One AWS account of the organization."""

    id: Annotated[str, Field(pattern=ACCOUNT_ID)]
    protected: bool = False
    require_mfa: bool = False  # the default of the roles in the account
    description: Description = ""


LintCode = Literal[
    "unknown-action",
    "condition-key",
    "resource-type",
    "not-action-allow",
    "not-resource-allow",
    "wildcard-destructive",
]
LINT_REASON = r"\S"  # a reason is not blank


class LintIgnore(Record):
    """A lint finding intended as written, with the reason validate shows the reviewer."""

    finding: LintCode
    reason: Annotated[str, Field(max_length=1000, pattern=LINT_REASON)]
    statement: str | None = None  # a Sid: only that statement's findings


class Lint(Record):
    """The lint findings silenced next to a policy (orgtf.config.lint)."""

    ignore: tuple[LintIgnore, ...] = ()


class ManagedPolicy(Record):
    """A reusable policy document, created as a customer-managed policy where used."""

    description: Description = ""
    path: PolicyPath = "/"
    document: PolicyDocument
    lint: Lint = Lint()


class Role(Record):
    """A role deployed to each of its accounts, trusting the master account."""

    accounts: Annotated[tuple[str, ...], Field(min_length=1)]
    description: Description = ""
    managed_policy_arns: tuple[str, ...] = ()
    policies: tuple[str, ...] = ()
    inline_policy: PolicyDocument | None = None
    lint: Lint = Lint()  # for the inline policy
    require_mfa: bool | None = None  # unset: the account's require_mfa
    # seconds since the MFA sign-in; null: any age (only aws:MultiFactorAuthPresent is tested)
    mfa_max_age: Annotated[int, Field(ge=60, le=129600)] | None = 3600
    max_session_duration: Annotated[int, Field(ge=3600, le=43200)] = 3600
    path: IamPath = "/"
    permissions_boundary: str | None = None
    tags: Tags = Field(default_factory=dict)
    trust: Trust | None = None  # unset: organization.trust


class GrantPolicy(Record):
    """A group's grant kept as it was found in AWS (``orgtf import``), instead of orgtf's own.

    The document must grant exactly the group's ``roles`` (validate checks it); remove this
    and orgtf writes the grant itself (``orgtf-assume-roles``) in the next plan.
    """

    name: PolicyName
    kind: Literal["inline", "managed"] = "inline"  # a group policy, or a managed one attached
    path: PolicyPath = "/"  # managed only
    description: Description = ""  # managed only
    document: PolicyDocument


class Group(Record):
    """A group in the master account and the roles its members may assume."""

    description: Description = ""
    path: IamPath = "/"
    roles: tuple[RoleRef, ...] = ()
    managed_policy_arns: tuple[str, ...] = ()
    grant_policy: GrantPolicy | None = None


class User(Record):
    """An IAM user in the master account."""

    groups: tuple[str, ...] = ()
    path: IamPath = "/"
    tags: Tags = Field(default_factory=dict)
    console: bool = False  # a console password, to be reset at first sign-in
    # base64 of a binary OpenPGP public key: the password is kept only encrypted to it
    # (orgtf.config.users checks that it looks like one)
    pgp_key: Annotated[str, Field(min_length=1, max_length=100_000)] | None = None
    # Identity Center only (organization.identity: identity_center): the identity store's
    # user. Names default from the user name (alice.smith: Alice Smith).
    email: Annotated[str, Field(max_length=128, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")] | None = (
        None
    )
    display_name: Annotated[str, Field(min_length=1, max_length=1024)] | None = None
    given_name: Annotated[str, Field(min_length=1, max_length=1024)] | None = None
    family_name: Annotated[str, Field(min_length=1, max_length=1024)] | None = None


class Limits(Record):
    """IAM quotas to check against; raise them only for accounts with raised quotas."""

    managed_policies_per_role: Annotated[int, Field(ge=1, le=20)] = 10
    managed_policies_per_group: Annotated[int, Field(ge=1, le=20)] = 10
    groups_per_user: Annotated[int, Field(ge=1, le=10)] = 10
    role_trust_policy_size: Annotated[int, Field(ge=2048, le=8192)] = 2048
    # Entities in one account: IAM's default quotas, and the most IAM grants on request
    # (users cannot be raised).
    users_per_account: Annotated[int, Field(ge=1, le=5000)] = 5000
    groups_per_account: Annotated[int, Field(ge=1, le=500)] = 300
    roles_per_account: Annotated[int, Field(ge=1, le=5000)] = 1000


class OrgConfig(Record):
    """The whole of org.yaml, as validated field by field."""

    version: Literal[1] = 1
    organization: OrganizationSettings
    accounts: Annotated[dict[AccountName, Account], Field(min_length=1)]
    policies: dict[PolicyName, ManagedPolicy] = Field(default_factory=dict)
    roles: dict[RoleName, Role] = Field(default_factory=dict)
    groups: dict[GroupName, Group] = Field(default_factory=dict)
    users: dict[UserName, User] = Field(default_factory=dict)
    limits: Limits = Limits()

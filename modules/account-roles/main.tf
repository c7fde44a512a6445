# One IAM role per entry of var.roles, trusting the master account (all of it, or only its
# IAM users) and any extra principals, with its policies.
#
# Attachments are separate resources on purpose: aws_iam_role's managed_policy_arns and
# inline_policy arguments are deprecated and would take exclusive ownership of the role.

locals {
  assume = { Effect = "Allow", Action = "sts:AssumeRole" }

  # Conditions as maps of maps of strings: a conditional can choose between a map and {}.
  mfa_conditions = {
    for name, role in var.roles : name => role.require_mfa ? merge(
      { Bool = { "aws:MultiFactorAuthPresent" = "true" } },
      role.mfa_max_age != null ? {
        NumericLessThan = { "aws:MultiFactorAuthAge" = tostring(role.mfa_max_age) }
      } : {},
    ) : {}
  }
  master_conditions = {
    for name, role in var.roles : name => merge(local.mfa_conditions[name],
      role.trust_principals == "iam_users" ? {
        StringEquals = { "aws:PrincipalType" = "User" }
        ArnLike      = { "aws:PrincipalArn" = "arn:aws:iam::${var.master_account_id}:user/*" }
      } : {},
    )
  }

  # The same documents as orgtf.config.policy.trust_policy(), whose size orgtf checks before
  # rendering: the master account's root (narrowed to its IAM users, Sid MasterAccountUsers,
  # with trust_principals = "iam_users"), then the extra principals (Sid ExtraPrincipals) if
  # any; the MFA conditions apply to both. Keys that are empty are left out.
  trust_policies = {
    for name, role in var.roles : name => jsonencode({
      Version = "2012-10-17"
      Statement = [
        for index, statement in [
          merge(
            role.trust_principals == "iam_users" ? { Sid = "MasterAccountUsers" } : {},
            local.assume,
            { Principal = { AWS = "arn:aws:iam::${var.master_account_id}:root" } },
            length(local.master_conditions[name]) > 0 ? {
              Condition = local.master_conditions[name]
            } : {},
          ),
          merge(
            { Sid = "ExtraPrincipals" },
            local.assume,
            { Principal = { AWS = role.trust_extra_principals } },
            role.require_mfa ? { Condition = local.mfa_conditions[name] } : {},
          ),
        ] : statement if index == 0 || length(role.trust_extra_principals) > 0
      ]
    })
  }

  # "<role>/<policy ARN>" => attachment, the id format of aws_iam_role_policy_attachment.
  managed_attachments = {
    for pair in flatten([
      for name, role in var.roles : [
        for arn in role.managed_policy_arns : { role = name, policy_arn = arn }
      ]
    ]) : "${pair.role}/${pair.policy_arn}" => pair
  }

  # "<role>/<policy name>" => attachment of a policy from var.policies.
  named_attachments = {
    for pair in flatten([
      for name, role in var.roles : [
        for policy in role.policies : { role = name, policy = policy }
      ]
    ]) : "${pair.role}/${pair.policy}" => pair
  }

  inline_policies = {
    for name, role in var.roles : name => role.inline_policy if role.inline_policy != null
  }
}

resource "aws_iam_role" "this" {
  for_each = var.roles

  name                 = each.key
  path                 = each.value.path
  description          = each.value.description != "" ? each.value.description : null
  assume_role_policy   = local.trust_policies[each.key]
  max_session_duration = each.value.max_session_duration
  permissions_boundary = each.value.permissions_boundary
  tags                 = each.value.tags

  # orgtf owns these roles: removing one from org.yaml deletes it even if someone attached
  # a policy by hand.
  force_detach_policies = true
}

resource "aws_iam_policy" "named" {
  for_each = var.policies

  name        = each.key
  path        = each.value.path
  description = each.value.description != "" ? each.value.description : null
  policy      = each.value.document
}

resource "aws_iam_role_policy_attachment" "managed" {
  for_each = local.managed_attachments

  role       = aws_iam_role.this[each.value.role].name
  policy_arn = each.value.policy_arn
}

resource "aws_iam_role_policy_attachment" "named" {
  for_each = local.named_attachments

  role       = aws_iam_role.this[each.value.role].name
  policy_arn = aws_iam_policy.named[each.value.policy].arn
}

resource "aws_iam_role_policy" "inline" {
  for_each = local.inline_policies

  name   = "orgtf-inline"
  role   = aws_iam_role.this[each.key].name
  policy = each.value
}

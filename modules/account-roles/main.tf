# One IAM role per entry of var.roles, trusting the master account, with its policies.
#
# Attachments are separate resources on purpose: aws_iam_role's managed_policy_arns and
# inline_policy arguments are deprecated and would take exclusive ownership of the role.

locals {
  trust_statement = {
    Effect    = "Allow"
    Principal = { AWS = "arn:aws:iam::${var.master_account_id}:root" }
    Action    = "sts:AssumeRole"
  }

  mfa_conditions = {
    for name, role in var.roles : name => {
      Bool            = { "aws:MultiFactorAuthPresent" = "true" }
      NumericLessThan = { "aws:MultiFactorAuthAge" = tostring(role.mfa_max_age) }
    }
  }

  # The same documents as orgtf.config.policy.trust_policy(), whose size orgtf checks before
  # rendering. Each shape is encoded on its own: a conditional cannot choose between objects
  # with different attributes, but it can choose between two strings.
  trust_policies = {
    for name, role in var.roles : name => (
      role.require_mfa
      ? jsonencode({
        Version   = "2012-10-17"
        Statement = [merge(local.trust_statement, { Condition = local.mfa_conditions[name] })]
      })
      : jsonencode({
        Version   = "2012-10-17"
        Statement = [local.trust_statement]
      })
    )
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

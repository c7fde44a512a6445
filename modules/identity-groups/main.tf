# Groups in the master account, the sts:AssumeRole grants of each group, and the users.
#
# A group's grant is one inline group policy while it fits IAM's 5,120 characters; beyond
# that orgtf splits it into customer-managed policies of at most 6,144 characters each,
# named orgtf-<group>-assume-roles-<n> and attached to the group. orgtf writes each grant's
# name and document (orgtf.config.policy.grant_document(), whose size it checks, or a grant
# policy kept as `orgtf import` found it).

locals {
  # Every grant policy: "<group>/inline" or "<group>/<n>" => the role ARNs it allows.
  inline_grants = {
    for name, group in var.groups : "${name}/inline" => merge(group.inline_grant, {
      group = name
    }) if group.inline_grant != null
  }
  managed_grants = {
    for grant in flatten([
      for name, group in var.groups : [
        for index, chunk in group.managed_grants : merge(chunk, {
          group  = name
          number = index + 1
        })
      ]
    ]) : "${grant.group}/${grant.number}" => grant
  }

  # "<group>/<policy ARN>" => attachment of a managed policy listed for the group.
  managed_attachments = {
    for pair in flatten([
      for name, group in var.groups : [
        for arn in group.managed_policy_arns : { group = name, policy_arn = arn }
      ]
    ]) : "${pair.group}/${pair.policy_arn}" => pair
  }

  assumable_role_arns = {
    for name, group in var.groups : name => sort(distinct(flatten(concat(
      group.inline_grant == null ? [] : [group.inline_grant.role_arns, group.inline_grant.mfa_role_arns],
      [for chunk in group.managed_grants : concat(chunk.role_arns, chunk.mfa_role_arns)],
    ))))
  }
}

resource "aws_iam_group" "this" {
  for_each = var.groups

  name = each.key
  path = each.value.path
}

resource "aws_iam_group_policy" "assume_roles" {
  for_each = local.inline_grants

  name   = each.value.name
  group  = aws_iam_group.this[each.value.group].name
  policy = each.value.document
}

resource "aws_iam_policy" "assume_roles" {
  for_each = local.managed_grants

  name        = each.value.name
  path        = each.value.path
  description = each.value.description != "" ? each.value.description : null
  policy      = each.value.document
}

resource "aws_iam_group_policy_attachment" "assume_roles" {
  for_each = local.managed_grants

  group      = aws_iam_group.this[each.value.group].name
  policy_arn = aws_iam_policy.assume_roles[each.key].arn
}

resource "aws_iam_group_policy_attachment" "managed" {
  for_each = local.managed_attachments

  group      = aws_iam_group.this[each.value.group].name
  policy_arn = each.value.policy_arn
}

resource "aws_iam_user" "this" {
  for_each = var.users

  name = each.key
  path = each.value.path
  tags = each.value.tags

  # Removing a user from org.yaml offboards them: their password, access keys and MFA
  # devices (created outside Terraform) are deleted with the user.
  force_destroy = true
}

resource "aws_iam_user_group_membership" "this" {
  for_each = { for name, user in var.users : name => user if length(user.groups) > 0 }

  user   = aws_iam_user.this[each.key].name
  groups = [for group in each.value.groups : aws_iam_group.this[group].name]
}

# IAM Identity Center: one permission set per role, the identity store's groups, users and
# memberships, and an account assignment per group, role and account.
#
# Assignments wait for the permission set's policies, so that the set is complete when it
# is provisioned to an account (the provider provisions it again after each policy change).

data "aws_ssoadmin_instances" "this" {}

locals {
  instance_arn      = tolist(data.aws_ssoadmin_instances.this.arns)[0]
  identity_store_id = tolist(data.aws_ssoadmin_instances.this.identity_store_ids)[0]

  # "<permission set>/<policy ARN>" => attachment of an AWS managed policy.
  managed_attachments = {
    for pair in flatten([
      for name, set in var.permission_sets : [
        for arn in set.managed_policy_arns : { permission_set = name, arn = arn }
      ]
    ]) : "${pair.permission_set}/${pair.arn}" => pair
  }

  # "<permission set>/<path><name>" => a customer managed policy, by name in each account.
  customer_attachments = {
    for pair in flatten([
      for name, set in var.permission_sets : [
        for policy in set.customer_managed_policies : merge(policy, { permission_set = name })
      ]
    ]) : "${pair.permission_set}/${pair.path}${pair.name}" => pair
  }

  inline_policies = {
    for name, set in var.permission_sets : name => set.inline_policy if set.inline_policy != null
  }

  # "<group>/<user>" => membership.
  memberships = {
    for pair in flatten([
      for name, user in var.users : [for group in user.groups : { user = name, group = group }]
    ]) : "${pair.group}/${pair.user}" => pair
  }
}

resource "aws_ssoadmin_permission_set" "this" {
  for_each = var.permission_sets

  name             = each.key
  description      = each.value.description != "" ? each.value.description : null
  instance_arn     = local.instance_arn
  session_duration = each.value.session_duration
  tags             = each.value.tags
}

resource "aws_ssoadmin_managed_policy_attachment" "this" {
  for_each = local.managed_attachments

  instance_arn       = local.instance_arn
  permission_set_arn = aws_ssoadmin_permission_set.this[each.value.permission_set].arn
  managed_policy_arn = each.value.arn
}

resource "aws_ssoadmin_customer_managed_policy_attachment" "this" {
  for_each = local.customer_attachments

  instance_arn       = local.instance_arn
  permission_set_arn = aws_ssoadmin_permission_set.this[each.value.permission_set].arn

  customer_managed_policy_reference {
    name = each.value.name
    path = each.value.path
  }
}

resource "aws_ssoadmin_permission_set_inline_policy" "this" {
  for_each = local.inline_policies

  instance_arn       = local.instance_arn
  permission_set_arn = aws_ssoadmin_permission_set.this[each.key].arn
  inline_policy      = each.value
}

resource "aws_identitystore_group" "this" {
  for_each = var.groups

  identity_store_id = local.identity_store_id
  display_name      = each.key
  description       = each.value.description != "" ? each.value.description : null
}

resource "aws_identitystore_user" "this" {
  for_each = var.users

  identity_store_id = local.identity_store_id
  user_name         = each.key
  display_name      = each.value.display_name

  name {
    given_name  = each.value.given_name
    family_name = each.value.family_name
  }

  emails {
    value   = each.value.email
    primary = true
  }
}

resource "aws_identitystore_group_membership" "this" {
  for_each = local.memberships

  identity_store_id = local.identity_store_id
  group_id          = aws_identitystore_group.this[each.value.group].group_id
  member_id         = aws_identitystore_user.this[each.value.user].user_id
}

resource "aws_ssoadmin_account_assignment" "this" {
  for_each = var.assignments

  instance_arn       = local.instance_arn
  permission_set_arn = aws_ssoadmin_permission_set.this[each.value.permission_set].arn
  principal_id       = aws_identitystore_group.this[each.value.group].group_id
  principal_type     = "GROUP"
  target_id          = each.value.account_id
  target_type        = "AWS_ACCOUNT"

  depends_on = [
    aws_ssoadmin_managed_policy_attachment.this,
    aws_ssoadmin_customer_managed_policy_attachment.this,
    aws_ssoadmin_permission_set_inline_policy.this,
  ]
}

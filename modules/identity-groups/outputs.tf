output "groups" {
  description = "Per group name: name, arn, unique_id, description, assumable_role_arns (sorted) and grant_policy_arns (the customer-managed grant policies; empty when the grant is inline)."
  value = {
    for name, group in aws_iam_group.this : name => {
      name                = group.name
      arn                 = group.arn
      unique_id           = group.unique_id
      description         = var.groups[name].description
      assumable_role_arns = local.assumable_role_arns[name]
      grant_policy_arns = [
        for key, grant in local.managed_grants : aws_iam_policy.assume_roles[key].arn
        if grant.group == name
      ]
    }
    # Terraform 1.0 evaluates outputs while instances of removed groups are being destroyed.
    if contains(keys(var.groups), name)
  }
}

output "users" {
  description = "Per user name: name, arn, unique_id and groups (sorted group names)."
  value = {
    for name, user in aws_iam_user.this : name => {
      name      = user.name
      arn       = user.arn
      unique_id = user.unique_id
      groups    = sort(var.users[name].groups)
    }
    if contains(keys(var.users), name)
  }
}

output "roles" {
  description = "Per role name: name, arn, unique_id, max_session_duration and require_mfa."
  value = {
    for name, role in aws_iam_role.this : name => {
      name                 = role.name
      arn                  = role.arn
      unique_id            = role.unique_id
      max_session_duration = role.max_session_duration
      require_mfa          = var.roles[name].require_mfa
    }
    # Terraform 1.0 evaluates outputs while instances of removed roles are being destroyed.
    if contains(keys(var.roles), name)
  }
}

output "policies" {
  description = "Per customer-managed policy created in this account: name and arn."
  value = {
    for name, policy in aws_iam_policy.named : name => {
      name = policy.name
      arn  = policy.arn
    }
  }
}

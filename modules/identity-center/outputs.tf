output "instance_arn" {
  description = "The Identity Center instance."
  value       = local.instance_arn
}

output "permission_sets" {
  description = "Per permission set name: name, arn, session_duration."
  value = {
    for name, set in aws_ssoadmin_permission_set.this : name => {
      name             = set.name
      arn              = set.arn
      session_duration = set.session_duration
    }
    if contains(keys(var.permission_sets), name)
  }
}

output "groups" {
  description = "Per group name: its identity store group_id."
  value = {
    for name, group in aws_identitystore_group.this : name => group.group_id
    if contains(keys(var.groups), name)
  }
}

output "users" {
  description = "Per user name: its identity store user_id."
  value = {
    for name, user in aws_identitystore_user.this : name => user.user_id
    if contains(keys(var.users), name)
  }
}

output "assignments" {
  description = "Per group/account/permission set: the group, permission set and account id."
  value       = var.assignments
}

variable "permission_sets" {
  description = <<-EOT
    Permission sets by name (orgtf's roles). Every attribute is required; orgtf fills them in.
      description                "" for none
      session_duration           ISO-8601, PT1H to PT12H
      tags                       tags of the permission set
      managed_policy_arns        AWS managed policies to attach
      customer_managed_policies  {name, path} of policies that exist in each assigned account
      inline_policy              JSON policy document, or null
  EOT
  type = map(object({
    description         = string
    session_duration    = string
    tags                = map(string)
    managed_policy_arns = list(string)
    customer_managed_policies = list(object({
      name = string
      path = string
    }))
    inline_policy = string
  }))
}

variable "groups" {
  description = "Identity store groups by display name: their description (\"\" for none)."
  type = map(object({
    description = string
  }))
}

variable "users" {
  description = "Identity store users by user name: display, given and family names, email, and the names of their groups."
  type = map(object({
    display_name = string
    given_name   = string
    family_name  = string
    email        = string
    groups       = list(string)
  }))
}

variable "assignments" {
  description = "Account assignments, keyed group/account/permission set: the group, the permission set and the 12-digit account id."
  type = map(object({
    group          = string
    permission_set = string
    account_id     = string
  }))
}

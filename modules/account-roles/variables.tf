variable "master_account_id" {
  description = "ID of the master (identity) account. Its root principal is trusted by every role, so any master-account identity allowed sts:AssumeRole on a role's ARN may assume it, unless the role's trust_principals narrows that to the account's IAM users."
  type        = string

  validation {
    condition     = can(regex("^[0-9]{12}$", var.master_account_id))
    error_message = "The master_account_id value must be a 12-digit AWS account ID."
  }
}

variable "roles" {
  description = <<-EOT
    Roles to create in this account, by role name. Every attribute is required (Terraform 1.0
    has no optional object attributes); orgtf fills in the defaults from org.yaml.
      description            IAM role description ("" for none)
      path                   IAM path, "/" by default
      max_session_duration   seconds, 3600..43200
      permissions_boundary   policy ARN, or null
      tags                   tags of the role (the provider adds its default_tags)
      managed_policy_arns    ARNs of existing managed policies to attach
      policies               names of entries in var.policies to attach
      inline_policy          JSON policy document for the role's inline policy, or null
      require_mfa            whether assuming the role requires MFA (whoever assumes it)
      mfa_max_age            seconds; with require_mfa, the maximum age of the MFA sign-in
                             (null: any age, only the presence of MFA is tested)
      trust_principals       "any": every principal of the master account (whose own
                             policies allow it); "iam_users": only its IAM users
      trust_extra_principals ARNs of further roles or users trusted (e.g. a CI role)
  EOT
  type = map(object({
    description            = string
    path                   = string
    max_session_duration   = number
    permissions_boundary   = string
    tags                   = map(string)
    managed_policy_arns    = list(string)
    policies               = list(string)
    inline_policy          = string
    require_mfa            = bool
    mfa_max_age            = number
    trust_principals       = string
    trust_extra_principals = list(string)
  }))

  validation {
    condition     = alltrue([for role in var.roles : contains(["any", "iam_users"], role.trust_principals)])
    error_message = "The trust_principals of each role must be \"any\" or \"iam_users\"."
  }
}

variable "policies" {
  description = "Customer-managed policies created in this account for the roles that use them, by policy name: description, IAM path and the JSON policy document."
  type = map(object({
    description = string
    path        = string
    document    = string
  }))
  default = {}
}

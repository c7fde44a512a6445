variable "groups" {
  description = <<-EOT
    Groups to create in this (the master) account, by group name. Every attribute is required
    (Terraform 1.0 has no optional object attributes); orgtf fills them in from org.yaml.
      description          what the group is for (IAM groups have no description; output only)
      path                 IAM path, "/" by default
      managed_policy_arns  ARNs of existing managed policies to attach to the group
      inline_grant         the role ARNs the group may assume, as one inline group policy,
                           or null when the grant is split into managed_grants
      managed_grants       the same, split into customer-managed policies (one per element)
                           when one inline policy would exceed IAM's 5,120 characters
    In a grant, role_arns may be assumed without MFA and mfa_role_arns only with MFA;
    document is the JSON policy that says so, under the policy name (and, for managed
    policies, the path and description: "" for none).
  EOT
  type = map(object({
    description         = string
    path                = string
    managed_policy_arns = list(string)
    inline_grant = object({
      name          = string
      document      = string
      role_arns     = list(string)
      mfa_role_arns = list(string)
    })
    managed_grants = list(object({
      name          = string
      path          = string
      description   = string
      document      = string
      role_arns     = list(string)
      mfa_role_arns = list(string)
    }))
  }))
}

variable "users" {
  description = <<-EOT
    IAM users to create in this account, by user name:
      path     IAM path
      tags     the user's own tags
      groups   the names of the groups (keys of var.groups) they belong to
      console  whether they get a console password (a login profile), generated once by the
               provider and to be changed at first sign-in
      pgp_key  null, or the base64 of a binary OpenPGP public key: the password is then kept
               in the state only encrypted to it
  EOT
  type = map(object({
    path    = string
    tags    = map(string)
    groups  = list(string)
    console = bool
    pgp_key = string
  }))
  default = {}
}

variable "self_service" {
  description = <<-EOT
    null, or a group every user is in, with one inline policy (name and JSON document) that
    lets them manage their own credentials and denies the rest without MFA.
  EOT
  type = object({
    name        = string
    policy_name = string
    document    = string
  })
  default = null
}

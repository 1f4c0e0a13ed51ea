variable "exporter_role_arn" {
  description = "ARN of the IAM role the exporter runs as; the only principal trusted."
  type        = string
  validation {
    condition     = can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:role/.+$", var.exporter_role_arn))
    error_message = "exporter_role_arn must be an IAM role ARN."
  }
}

variable "external_id" {
  description = "The externalId (memberExternalId with discovery) of the exporter's config."
  type        = string
  sensitive   = true
  validation {
    condition     = can(regex("^[A-Za-z0-9+=,.@:/_-]{2,1224}$", var.external_id))
    error_message = "external_id must be 2 to 1224 characters of A-Z a-z 0-9 + = , . @ : / _ -."
  }
}

variable "role_name" {
  description = "Name of the role; the exporter's memberRoleName (discovery) or role ARNs."
  type        = string
  default     = "kms-keystore-exporter-reader"
}

variable "max_session_duration" {
  description = "Longest session in seconds; at least the exporter's sessionDuration (1h default)."
  type        = number
  default     = 3600
}

variable "allow_organizations_list_accounts" {
  description = "true only in the management or delegated administrator account, when the exporter discovers accounts through this role."
  type        = bool
  default     = false
}

variable "allow_cloudhsm_describe_clusters" {
  description = "true when the exporter runs with enrich.cloudhsm (cloudhsm:DescribeClusters)."
  type        = bool
  default     = false
}

variable "allow_cloudwatch_get_metric_data" {
  description = "true when the exporter runs with enrich.xks (cloudwatch:ListMetrics and GetMetricData)."
  type        = bool
  default     = false
}

variable "allow_kms_key_inventory" {
  description = "true when the exporter runs with enrich.keys (kms:ListKeys and kms:DescribeKey)."
  type        = bool
  default     = false
}

# The read-only role that kms-keystore-exporter assumes in a member account: the same as
# ../member-role.cfn.yaml. Instantiate it once per account, with a provider for that account.

data "aws_iam_policy_document" "trust" {
  # Only the exporter's role, and only with the external id of its config.
  statement {
    sid     = "ExporterRoleWithExternalId"
    effect  = "Allow"
    actions = ["sts:AssumeRole"]
    principals {
      type        = "AWS"
      identifiers = [var.exporter_role_arn]
    }
    condition {
      test     = "StringEquals"
      variable = "sts:ExternalId"
      values   = [var.external_id]
    }
  }
}

data "aws_iam_policy_document" "read" {
  # The exporter's one call in every member account. The action has no resource-level
  # permissions, hence "*"; it returns no key material.
  statement {
    sid       = "ReadCustomKeyStores"
    effect    = "Allow"
    actions   = ["kms:DescribeCustomKeyStores"]
    resources = ["*"]
  }

  # Opt-in: Organizations discovery lists the accounts of the organisation (all of them, or
  # those under chosen organizational units).
  dynamic "statement" {
    for_each = var.allow_organizations_list_accounts ? [1] : []
    content {
      sid       = "ListOrganizationAccounts"
      effect    = "Allow"
      actions   = [
        "organizations:ListAccounts",
        "organizations:ListAccountsForParent",
        "organizations:ListChildren",
      ]
      resources = ["*"]
    }
  }

  # Opt-in (enrich.cloudhsm): the clusters behind the CloudHSM key stores.
  dynamic "statement" {
    for_each = var.allow_cloudhsm_describe_clusters ? [1] : []
    content {
      sid       = "DescribeCloudHsmClusters"
      effect    = "Allow"
      actions   = ["cloudhsm:DescribeClusters"]
      resources = ["*"]
    }
  }

  # Opt-in (enrich.xks): the AWS/KMS metrics of the external key store proxies; ListMetrics
  # tells their exact dimension sets, GetMetricData their values.
  dynamic "statement" {
    for_each = var.allow_cloudwatch_get_metric_data ? [1] : []
    content {
      sid       = "ReadXksMetrics"
      effect    = "Allow"
      actions   = ["cloudwatch:GetMetricData", "cloudwatch:ListMetrics"]
      resources = ["*"]
    }
  }

  # Opt-in (enrich.keys): which keys each store holds and their states.
  dynamic "statement" {
    for_each = var.allow_kms_key_inventory ? [1] : []
    content {
      sid       = "InventoryKeys"
      effect    = "Allow"
      actions   = ["kms:ListKeys", "kms:DescribeKey"]
      resources = ["*"]
    }
  }
}

resource "aws_iam_role" "reader" {
  name                 = var.role_name
  description          = "Assumed by kms-keystore-exporter to read the state of KMS custom key stores"
  assume_role_policy   = data.aws_iam_policy_document.trust.json
  max_session_duration = var.max_session_duration
}

resource "aws_iam_role_policy" "read" {
  name   = "kms-keystore-exporter-read"
  role   = aws_iam_role.reader.id
  policy = data.aws_iam_policy_document.read.json
}

output "role_arn" {
  description = "ARN of the reader role, for the exporter's config (roleArn)."
  value       = aws_iam_role.reader.arn
}

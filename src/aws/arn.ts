/** IAM role ARNs in any partition (aws, aws-cn, aws-us-gov, ...); role names may have a path. */
export const ROLE_ARN = /^arn:(aws(?:-[a-z]+)*):iam::(\d{12}):role\/[\w+=,.@/-]{1,512}$/;

export function accountIdOfRoleArn(roleArn: string): string | undefined {
  return ROLE_ARN.exec(roleArn)?.[2];
}

/** The partition of any ARN (`arn:<partition>:…`); undefined when it is not an ARN. */
export function partitionOfArn(arn: string): string | undefined {
  return /^arn:(aws(?:-[a-z]+)*):/.exec(arn)?.[1];
}

export function roleArnOf(partition: string, accountId: string, roleName: string): string {
  return `arn:${partition}:iam::${accountId}:role/${roleName}`;
}

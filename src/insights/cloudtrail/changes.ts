import type { Finding } from '../report.js';

/**
 * What the change audit watches, as data: the control-plane APIs that change how the edge, its
 * logging and its network are configured (CloudFront, WAF, CloudTrail, the buckets and log groups
 * that hold logs, IAM, security groups, network ACLs, flow logs), each with the risk it carries and
 * how to undo it. Calls not in this table are not changes the audit reports.
 */

export type ChangeCategory = 'cloudtrail' | 'cloudfront' | 'waf' | 'log-storage' | 'iam' | 'network';

export interface ChangeRule {
  category: ChangeCategory;
  /** Severity of a successful call; `undefined` = shown in the timeline, not a finding. */
  severity?: Finding['severity'];
  why: string;
  fix?: string;
  /** Raises the severity to high when the request parameters match (e.g. a rule opened to the internet). */
  worse?: { test: (params: Record<string, unknown> | undefined, text: string) => boolean; why: string };
  /** Only on buckets that hold logs (S3 APIs). */
  logBucketsOnly?: boolean;
}

const OPEN_TO_INTERNET = /"(cidrIp|cidrIpv6|CidrIpv4|CidrIpv6|cidrBlock|ipv6CidrBlock)"\s*:\s*"(0\.0\.0\.0\/0|::\/0)"/;
const allowsAnywhere = (_p: Record<string, unknown> | undefined, text: string) => OPEN_TO_INTERNET.test(text) && !/"ruleAction"\s*:\s*"deny"/i.test(text);
const ADMIN_POLICY = /arn:aws:iam::aws:policy\/(AdministratorAccess|IAMFullAccess|PowerUserAccess)|"Action"\s*:\s*"\*"|\\"Action\\"\s*:\s*\\"\*\\"/;
const TRAIL_WEAKENED = /"(isMultiRegionTrail|includeGlobalServiceEvents|enableLogFileValidation)"\s*:\s*false|"kmsKeyId"\s*:\s*""/;
const SELECTORS_NARROWED = /"includeManagementEvents"\s*:\s*false|"readWriteType"\s*:\s*"ReadOnly"|"excludeManagementEventSources"\s*:\s*\[\s*"|"eventSelectors"\s*:\s*\[\s*\]|"notEquals"/;

const DISTRIBUTION_WEAKENED = /"logging"\s*:\s*\{[^{}]*"enabled"\s*:\s*false|"webACLId"\s*:\s*""/;

const FIX_TRAIL = 'Restart and restore the trail (aws cloudtrail start-logging --name TRAIL; update-trail back to multi-region, global events, log file validation), rotate the credentials that made the call, and review what happened while it was blind.';
const FIX_KEY = 'If the change was not planned: revert it, deactivate the access key or revoke the role session that made it (aws iam update-access-key --status Inactive), and review its other calls.';

export const CHANGE_RULES: Record<string, Record<string, ChangeRule>> = {
  'cloudtrail.amazonaws.com': {
    StopLogging: { category: 'cloudtrail', severity: 'critical', why: 'the trail stops recording API activity', fix: FIX_TRAIL },
    DeleteTrail: { category: 'cloudtrail', severity: 'critical', why: 'the trail and its delivery are removed', fix: FIX_TRAIL },
    UpdateTrail: { category: 'cloudtrail', severity: 'medium', why: 'where and what the trail logs changed', fix: FIX_TRAIL, worse: { test: (_p, t) => TRAIL_WEAKENED.test(t), why: 'multi-region logging, global service events, log file validation or encryption was turned off' } },
    PutEventSelectors: { category: 'cloudtrail', severity: 'medium', why: 'what the trail records changed', fix: FIX_TRAIL, worse: { test: (_p, t) => SELECTORS_NARROWED.test(t), why: 'management events were dropped or narrowed' } },
    PutInsightSelectors: { category: 'cloudtrail', severity: 'low', why: 'CloudTrail Insights settings changed' },
    CreateTrail: { category: 'cloudtrail', why: 'a trail was created' },
    StartLogging: { category: 'cloudtrail', why: 'a trail resumed logging' },
    AddTags: { category: 'cloudtrail', why: 'trail tags changed' },
  },
  'cloudfront.amazonaws.com': {
    UpdateDistribution: { category: 'cloudfront', severity: 'medium', why: 'the distribution\'s origins, behaviors, aliases, logging or web ACL changed', fix: FIX_KEY, worse: { test: (_p, t) => DISTRIBUTION_WEAKENED.test(t), why: 'access logging or the web ACL was removed' } },
    UpdateDistributionWithStagingConfig: { category: 'cloudfront', severity: 'medium', why: 'a staging configuration was promoted to the distribution', fix: FIX_KEY },
    DeleteDistribution: { category: 'cloudfront', severity: 'high', why: 'a distribution was deleted', fix: FIX_KEY },
    CreateDistribution: { category: 'cloudfront', why: 'a distribution was created' },
    AssociateAlias: { category: 'cloudfront', severity: 'high', why: 'an alias moved to another distribution (domain takeover)', fix: FIX_KEY },
    UpdateOriginAccessControl: { category: 'cloudfront', severity: 'medium', why: 'how CloudFront signs origin requests changed', fix: FIX_KEY },
    DeleteOriginAccessControl: { category: 'cloudfront', severity: 'medium', why: 'an origin access control was removed', fix: FIX_KEY },
    UpdateCloudFrontOriginAccessIdentity: { category: 'cloudfront', severity: 'medium', why: 'an origin access identity changed', fix: FIX_KEY },
    DeleteCloudFrontOriginAccessIdentity: { category: 'cloudfront', severity: 'medium', why: 'an origin access identity was removed', fix: FIX_KEY },
    PublishFunction: { category: 'cloudfront', severity: 'medium', why: 'code was published to every edge location', fix: FIX_KEY },
    UpdateFunction: { category: 'cloudfront', why: 'a CloudFront Function changed (not yet published)' },
    CreateInvalidation: { category: 'cloudfront', why: 'cached objects were invalidated' },
    UpdateRealtimeLogConfig: { category: 'cloudfront', severity: 'medium', why: 'real-time log delivery changed', fix: FIX_KEY },
    DeleteRealtimeLogConfig: { category: 'cloudfront', severity: 'high', why: 'real-time log delivery was removed', fix: FIX_KEY },
  },
  'wafv2.amazonaws.com': {
    DeleteWebACL: { category: 'waf', severity: 'high', why: 'a web ACL was deleted: its rules no longer protect anything', fix: FIX_KEY },
    DisassociateWebACL: { category: 'waf', severity: 'high', why: 'a resource lost its web ACL', fix: FIX_KEY },
    UpdateWebACL: { category: 'waf', severity: 'low', why: 'web ACL rules or default action changed', fix: FIX_KEY },
    DeleteRuleGroup: { category: 'waf', severity: 'medium', why: 'a rule group was deleted', fix: FIX_KEY },
    UpdateRuleGroup: { category: 'waf', why: 'a rule group changed' },
    UpdateIPSet: { category: 'waf', why: 'an IP set changed' },
    DeleteIPSet: { category: 'waf', severity: 'low', why: 'an IP set was deleted' },
    DeleteLoggingConfiguration: { category: 'waf', severity: 'high', why: 'WAF request logging was turned off', fix: 'Restore it: aws wafv2 put-logging-configuration.' },
    PutLoggingConfiguration: { category: 'waf', why: 'WAF logging settings changed' },
    AssociateWebACL: { category: 'waf', why: 'a web ACL was attached' },
    CreateWebACL: { category: 'waf', why: 'a web ACL was created' },
  },
  's3.amazonaws.com': {
    DeleteBucket: { category: 'log-storage', severity: 'high', why: 'a bucket holding logs was deleted', fix: FIX_KEY, logBucketsOnly: true },
    DeleteObject: { category: 'log-storage', severity: 'high', why: 'log objects were deleted', fix: 'Restore them from versions, turn on S3 Object Lock for log buckets.', logBucketsOnly: true },
    DeleteObjects: { category: 'log-storage', severity: 'high', why: 'log objects were deleted', fix: 'Restore them from versions, turn on S3 Object Lock for log buckets.', logBucketsOnly: true },
    PutBucketPolicy: { category: 'log-storage', severity: 'medium', why: 'who may read, write or delete the logs changed', fix: FIX_KEY, logBucketsOnly: true },
    DeleteBucketPolicy: { category: 'log-storage', severity: 'high', why: 'the log bucket policy was removed: delivery may fail', fix: FIX_KEY, logBucketsOnly: true },
    PutBucketAcl: { category: 'log-storage', severity: 'medium', why: 'the log bucket ACL changed', fix: FIX_KEY, logBucketsOnly: true },
    PutBucketLifecycle: { category: 'log-storage', severity: 'medium', why: 'how long logs are kept changed', fix: FIX_KEY, logBucketsOnly: true },
    PutBucketLifecycleConfiguration: { category: 'log-storage', severity: 'medium', why: 'how long logs are kept changed', fix: FIX_KEY, logBucketsOnly: true },
    DeleteBucketLifecycle: { category: 'log-storage', why: 'log retention rules were removed', logBucketsOnly: true },
    PutBucketVersioning: { category: 'log-storage', severity: 'medium', why: 'versioning of the log bucket changed (suspended versioning makes deletions final)', fix: FIX_KEY, logBucketsOnly: true },
    PutBucketLogging: { category: 'log-storage', severity: 'medium', why: 'server access logging of the bucket changed', fix: FIX_KEY, logBucketsOnly: true },
    PutBucketEncryption: { category: 'log-storage', why: 'default encryption of the log bucket changed', logBucketsOnly: true },
    DeleteBucketEncryption: { category: 'log-storage', severity: 'medium', why: 'default encryption of the log bucket was removed', fix: FIX_KEY, logBucketsOnly: true },
    PutBucketPublicAccessBlock: { category: 'log-storage', severity: 'medium', why: 'public access settings of the log bucket changed', fix: FIX_KEY, logBucketsOnly: true },
    DeleteBucketPublicAccessBlock: { category: 'log-storage', severity: 'high', why: 'the log bucket may now be made public', fix: FIX_KEY, logBucketsOnly: true },
    PutObjectLockConfiguration: { category: 'log-storage', why: 'object lock settings of the log bucket changed', logBucketsOnly: true },
  },
  'logs.amazonaws.com': {
    DeleteLogGroup: { category: 'log-storage', severity: 'high', why: 'a CloudWatch Logs group and its events were deleted', fix: FIX_KEY },
    DeleteLogStream: { category: 'log-storage', severity: 'medium', why: 'a CloudWatch Logs stream was deleted', fix: FIX_KEY },
    PutRetentionPolicy: { category: 'log-storage', severity: 'low', why: 'log retention changed' },
    DeleteSubscriptionFilter: { category: 'log-storage', severity: 'medium', why: 'logs stopped streaming to their subscriber', fix: FIX_KEY },
  },
  'iam.amazonaws.com': {
    CreateUser: { category: 'iam', severity: 'medium', why: 'a new IAM user', fix: FIX_KEY },
    CreateAccessKey: { category: 'iam', severity: 'medium', why: 'a new long-term access key', fix: FIX_KEY },
    CreateLoginProfile: { category: 'iam', severity: 'medium', why: 'console access was granted', fix: FIX_KEY },
    UpdateLoginProfile: { category: 'iam', severity: 'medium', why: 'a console password was changed', fix: FIX_KEY },
    AttachUserPolicy: { category: 'iam', severity: 'medium', why: 'permissions were granted', fix: FIX_KEY, worse: { test: (_p, t) => ADMIN_POLICY.test(t), why: 'administrator rights were granted' } },
    AttachRolePolicy: { category: 'iam', severity: 'medium', why: 'permissions were granted', fix: FIX_KEY, worse: { test: (_p, t) => ADMIN_POLICY.test(t), why: 'administrator rights were granted' } },
    AttachGroupPolicy: { category: 'iam', severity: 'medium', why: 'permissions were granted', fix: FIX_KEY, worse: { test: (_p, t) => ADMIN_POLICY.test(t), why: 'administrator rights were granted' } },
    PutUserPolicy: { category: 'iam', severity: 'medium', why: 'an inline policy was written', fix: FIX_KEY, worse: { test: (_p, t) => ADMIN_POLICY.test(t), why: 'administrator rights were granted' } },
    PutRolePolicy: { category: 'iam', severity: 'medium', why: 'an inline policy was written', fix: FIX_KEY, worse: { test: (_p, t) => ADMIN_POLICY.test(t), why: 'administrator rights were granted' } },
    PutGroupPolicy: { category: 'iam', severity: 'medium', why: 'an inline policy was written', fix: FIX_KEY, worse: { test: (_p, t) => ADMIN_POLICY.test(t), why: 'administrator rights were granted' } },
    CreatePolicyVersion: { category: 'iam', severity: 'medium', why: 'a managed policy was rewritten', fix: FIX_KEY, worse: { test: (_p, t) => ADMIN_POLICY.test(t), why: 'administrator rights were granted' } },
    AddUserToGroup: { category: 'iam', severity: 'medium', why: 'group membership grants permissions', fix: FIX_KEY },
    UpdateAssumeRolePolicy: { category: 'iam', severity: 'medium', why: 'who may assume the role changed', fix: FIX_KEY },
    DeactivateMFADevice: { category: 'iam', severity: 'high', why: 'multi-factor authentication was removed from a user', fix: FIX_KEY },
    DeleteVirtualMFADevice: { category: 'iam', severity: 'high', why: 'a multi-factor device was deleted', fix: FIX_KEY },
    CreateRole: { category: 'iam', why: 'a role was created' },
    DeleteUser: { category: 'iam', why: 'a user was deleted' },
    DeleteAccessKey: { category: 'iam', why: 'an access key was deleted' },
    UpdateAccessKey: { category: 'iam', why: 'an access key was activated or deactivated' },
    DetachUserPolicy: { category: 'iam', why: 'permissions were removed' },
    DetachRolePolicy: { category: 'iam', why: 'permissions were removed' },
  },
  'ec2.amazonaws.com': {
    AuthorizeSecurityGroupIngress: { category: 'network', severity: 'low', why: 'inbound access was opened', fix: FIX_KEY, worse: { test: allowsAnywhere, why: 'inbound access was opened to the whole internet (0.0.0.0/0 or ::/0)' } },
    AuthorizeSecurityGroupEgress: { category: 'network', severity: 'low', why: 'outbound access was opened', fix: FIX_KEY },
    ModifySecurityGroupRules: { category: 'network', severity: 'low', why: 'security group rules were rewritten', fix: FIX_KEY, worse: { test: allowsAnywhere, why: 'a rule now allows the whole internet (0.0.0.0/0 or ::/0)' } },
    RevokeSecurityGroupIngress: { category: 'network', why: 'inbound access was closed' },
    RevokeSecurityGroupEgress: { category: 'network', why: 'outbound access was closed' },
    CreateSecurityGroup: { category: 'network', why: 'a security group was created' },
    DeleteSecurityGroup: { category: 'network', why: 'a security group was deleted' },
    CreateNetworkAclEntry: { category: 'network', severity: 'low', why: 'a network ACL rule was added', fix: FIX_KEY, worse: { test: allowsAnywhere, why: 'a network ACL rule now allows the whole internet' } },
    ReplaceNetworkAclEntry: { category: 'network', severity: 'low', why: 'a network ACL rule was replaced', fix: FIX_KEY, worse: { test: allowsAnywhere, why: 'a network ACL rule now allows the whole internet' } },
    DeleteNetworkAclEntry: { category: 'network', severity: 'low', why: 'a network ACL rule was removed', fix: FIX_KEY },
    ReplaceNetworkAclAssociation: { category: 'network', severity: 'medium', why: 'a subnet now uses another network ACL', fix: FIX_KEY },
    DeleteNetworkAcl: { category: 'network', why: 'a network ACL was deleted' },
    CreateNetworkAcl: { category: 'network', why: 'a network ACL was created' },
    DeleteFlowLogs: { category: 'network', severity: 'high', why: 'VPC flow logging was turned off', fix: 'Recreate the flow logs (aws ec2 create-flow-logs) and check the coverage view for the gap.' },
    CreateFlowLogs: { category: 'network', why: 'VPC flow logging was turned on' },
  },
};
CHANGE_RULES['waf.amazonaws.com'] = CHANGE_RULES['wafv2.amazonaws.com']!;
CHANGE_RULES['waf-regional.amazonaws.com'] = CHANGE_RULES['wafv2.amazonaws.com']!;

/** The API calls the audit watches, per event source (for the SQL filter). */
export function watchedCalls(): { source: string; names: string[] }[] {
  return Object.entries(CHANGE_RULES).map(([source, rules]) => ({ source, names: Object.keys(rules) }));
}

/** Buckets that hold logs, by name, when nothing better says so (trail/distribution configs, ingested paths). */
export const LOG_BUCKET_NAME = /(^|[-_.])(logs?|trails?|cloudtrail|audit|flow-?logs?|access-?logs?|logging)([-_.]|$)/i;

/** The parameter that names what a call acted on, in order of preference. */
export const TARGET_PARAMS = [
  'name', 'trailName', 'id', 'bucketName', 'groupId', 'groupName', 'networkAclId', 'userName', 'roleName', 'groupName', 'policyArn',
  'resourceArn', 'webACLArn', 'Name', 'logGroupName', 'flowLogIds', 'resourceIds', 'Id', 'alias', 'key',
];

import type { Rng } from '../random.js';
import { trailRecord, type TrailCall } from '../trail.js';
import { ACCOUNT } from '../world.js';
import type { EventRef, Scenario, TrailRecord } from '../model.js';
import { addIncident, at, RULES } from './common.js';

const ATTACKER_IP = '203.0.113.66';
const OFFICE_IP = '198.51.100.130';
const OUTSIDE_ACCOUNT = '999988887777';
/** A region the account's routine activity never touches. */
const FAR_REGION = 'ap-southeast-2';
const CONSOLE_UA = 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0';
const CLI_UA = 'aws-cli/2.15.30 md/awscrt#0.19.19 ua/2.0 os/linux#6.5.0 md/arch#x86_64 lang/python#3.11.8 md/pyimpl#CPython cfg/retry-mode#standard md/installer#exe md/distrib#ubuntu.22 md/prompt#off';

function iamUser(name: string, id: string, key: string): Record<string, unknown> {
  return { type: 'IAMUser', principalId: id, arn: `arn:aws:iam::${ACCOUNT}:user/${name}`, accountId: ACCOUNT, accessKeyId: key, userName: name };
}

/**
 * An IAM administrator's password is phished: the attacker signs in to the console without MFA,
 * probes what the user may do, plants persistence (an access key and a console password for a
 * service user, a second MFA device, a weaker password policy, a changed SAML provider and policy
 * version), stages data out of the account (bucket replication, a DataSync task, a shared AMI and
 * snapshot, KMS-encrypted copies, an instance in a far region open to SSH from anywhere), opens a
 * network ACL and erases a log group and a secondary trail. These are the CloudTrail events Splunk's security_content detections look for.
 */
export function accountTakeover(s: Scenario, rng: Rng): void {
  const from = at(s, 0.45);
  const admin = iamUser('ops-admin', 'AIDAOPSADMIN7EXAMPLE', 'AKIAOPSADMIN7EXAMPLE');
  const service = iamUser('backup-svc', 'AIDABACKUPSVC7EXAMPLE', 'AKIABACKUPSVC7EXAMPL');
  const records: TrailRecord[] = [];
  let t = from;
  const call = (c: Omit<TrailCall, 't' | 'identity' | 'ip' | 'ua' | 'readOnly'> & Partial<TrailCall>, gapMs = 40_000): TrailRecord => {
    t += gapMs;
    const rec = trailRecord(rng, { t, identity: admin, ip: ATTACKER_IP, ua: CLI_UA, readOnly: false, ...c });
    records.push(rec);
    return rec;
  };
  const signIn = (rec: TrailRecord, extra: Record<string, unknown>): void => {
    rec.eventType = 'AwsConsoleSignIn';
    rec.additionalEventData = { LoginTo: 'https://console.aws.amazon.com/console/home', MobileVersion: 'No', ...extra };
  };

  // A wrong second factor first (the user's real device), then a sign-in with the password alone.
  const failed = call({ source: 'signin.amazonaws.com', name: 'ConsoleLogin', ua: CONSOLE_UA, response: { ConsoleLogin: 'Failure' } }, 0);
  signIn(failed, { MFAUsed: 'Yes' });
  failed.errorMessage = 'Failed authentication';
  const login = call({ source: 'signin.amazonaws.com', name: 'ConsoleLogin', ua: CONSOLE_UA, response: { ConsoleLogin: 'Success' } });
  signIn(login, { MFAUsed: 'No' });
  // The real user's session and the attacker's read the account's health at once, from two places.
  call({ source: 'health.amazonaws.com', name: 'DescribeEventAggregates', ua: CONSOLE_UA, readOnly: true, request: { aggregateField: 'eventTypeCategory' } });
  call({ source: 'health.amazonaws.com', name: 'DescribeEventAggregates', ua: CONSOLE_UA, ip: OFFICE_IP, readOnly: true, request: { aggregateField: 'eventTypeCategory' } }, 20_000);
  // Discovery: what may this user do? Mostly denied.
  for (const [source, name] of [['iam.amazonaws.com', 'ListUsers'], ['iam.amazonaws.com', 'ListRoles'], ['iam.amazonaws.com', 'GetAccountAuthorizationDetails'], ['iam.amazonaws.com', 'ListPolicies'], ['iam.amazonaws.com', 'ListGroups'], ['organizations.amazonaws.com', 'ListAccounts']] as const) {
    call({ source, name, readOnly: true, errorCode: 'AccessDenied' }, 15_000).errorMessage = `User: arn:aws:iam::${ACCOUNT}:user/ops-admin is not authorized to perform: ${source.split('.')[0]}:${name}`;
  }
  // Persistence.
  call({ source: 'iam.amazonaws.com', name: 'CreateAccessKey', request: { userName: 'backup-svc' }, response: { accessKey: { userName: 'backup-svc', accessKeyId: 'AKIABACKUPSVC2EXAMPL', status: 'Active', createDate: 'Nov 20, 2026 11:40:00 AM' } } });
  call({ source: 'iam.amazonaws.com', name: 'CreateLoginProfile', request: { userName: 'backup-svc', passwordResetRequired: false } });
  call({ source: 'iam.amazonaws.com', name: 'UpdateLoginProfile', request: { userName: 'dev-jane', passwordResetRequired: false } });
  call({ source: 'iam.amazonaws.com', name: 'CreateVirtualMFADevice', request: { virtualMFADeviceName: 'ops-admin-backup', path: '/' }, response: { virtualMFADevice: { serialNumber: `arn:aws:iam::${ACCOUNT}:mfa/ops-admin-backup` } } });
  call({ source: 'iam.amazonaws.com', name: 'UpdateAccountPasswordPolicy', request: { minimumPasswordLength: 6, requireSymbols: false, requireNumbers: false, maxPasswordAge: 0 } });
  call({ source: 'iam.amazonaws.com', name: 'UpdateSAMLProvider', request: { sAMLProviderArn: `arn:aws:iam::${ACCOUNT}:saml-provider/corp-idp`, sAMLMetadataDocument: '<EntityDescriptor …/>' } });
  call({ source: 'iam.amazonaws.com', name: 'SetDefaultPolicyVersion', request: { policyArn: `arn:aws:iam::${ACCOUNT}:policy/ci-deploy-boundary`, versionId: 'v1' } });
  call({ source: 'iam.amazonaws.com', name: 'DeletePolicy', request: { policyArn: `arn:aws:iam::${ACCOUNT}:policy/deny-data-export` } });
  // The planted password is used at once.
  const svcLogin = call({ source: 'signin.amazonaws.com', name: 'ConsoleLogin', identity: service, ua: CONSOLE_UA, response: { ConsoleLogin: 'Success' } });
  signIn(svcLogin, { MFAUsed: 'No' });
  // Staging data out of the account.
  call({ source: 's3.amazonaws.com', name: 'PutBucketReplication', request: { bucketName: 'corp-backups', Host: 'corp-backups.s3.amazonaws.com', replication: '', ReplicationConfiguration: { Role: `arn:aws:iam::${ACCOUNT}:role/s3-replication`, Rule: { ID: 'archive', Status: 'Enabled', Priority: 1, Destination: { Bucket: 'arn:aws:s3:::offsite-archive-example' } } } } });
  call({ source: 'datasync.amazonaws.com', name: 'CreateTask', request: { sourceLocationArn: `arn:aws:datasync:us-east-1:${ACCOUNT}:location/loc-0a1b2c3d4e5f60718`, destinationLocationArn: `arn:aws:datasync:us-east-1:${OUTSIDE_ACCOUNT}:location/loc-0f1e2d3c4b5a69788`, name: 'nightly-sync' } });
  call({ source: 's3.amazonaws.com', name: 'CopyObject', request: { bucketName: 'corp-backups', key: 'db/2026-11-20.dump', 'x-amz-copy-source': 'corp-finance/db/2026-11-20.dump', 'x-amz-server-side-encryption': 'aws:kms', Host: 'corp-backups.s3.amazonaws.com' } });
  call({ source: 'ec2.amazonaws.com', name: 'ModifyImageAttribute', request: { imageId: 'ami-0c1d2e3f4a5b6c7d8', attributeType: 'launchPermission', launchPermission: { add: { items: [{ userId: OUTSIDE_ACCOUNT }] } } } });
  call({ source: 'ec2.amazonaws.com', name: 'CreateSnapshot', request: { volumeId: 'vol-0a1b2c3d4e5f60718', description: 'maintenance' }, response: { snapshotId: 'snap-0f1e2d3c4b5a69788', status: 'pending' } }, 30_000);
  call({ source: 'ec2.amazonaws.com', name: 'ModifySnapshotAttribute', request: { snapshotId: 'snap-0f1e2d3c4b5a69788', attributeType: 'CREATE_VOLUME_PERMISSION', createVolumePermission: { add: { items: [{ userId: OUTSIDE_ACCOUNT }] } } } }, 30_000);
  call({ source: 'ec2.amazonaws.com', name: 'DescribeSnapshotAttribute', readOnly: true, request: { snapshotId: 'snap-0f1e2d3c4b5a69788', attribute: 'createVolumePermission' } }, 30_000);
  // A large instance in a region the account never uses, reachable over SSH from anywhere: the way out.
  const box = call({
    source: 'ec2.amazonaws.com', name: 'RunInstances',
    request: { instancesSet: { items: [{ imageId: 'ami-0f9e8d7c6b5a49382', minCount: 1, maxCount: 1, keyName: 'ops-admin-recovery' }] }, instanceType: 'c5.4xlarge', groupSet: { items: [{ groupId: 'sg-0d1e2f3a4b5c6d7e8' }] } },
    response: { instancesSet: { items: [{ instanceId: 'i-0e1f2a3b4c5d6e7f8', imageId: 'ami-0f9e8d7c6b5a49382', instanceType: 'c5.4xlarge', instanceState: { code: 0, name: 'pending' } }] } },
  });
  box.awsRegion = FAR_REGION;
  const ssh = call({ source: 'ec2.amazonaws.com', name: 'AuthorizeSecurityGroupIngress', request: { groupId: 'sg-0d1e2f3a4b5c6d7e8', ipPermissions: { items: [{ ipProtocol: 'tcp', fromPort: 22, toPort: 22, ipRanges: { items: [{ cidrIp: '0.0.0.0/0' }] } }] } }, response: { _return: true } });
  ssh.awsRegion = FAR_REGION;
  // Covering the way out and the tracks.
  call({ source: 'ec2.amazonaws.com', name: 'DeleteNetworkAclEntry', request: { networkAclId: 'acl-0a1b2c3d4e5f60718', ruleNumber: 90, egress: false } });
  call({ source: 'logs.amazonaws.com', name: 'DeleteLogGroup', request: { logGroupName: '/aws/lambda/audit-forwarder' } });
  call({ source: 'cloudtrail.amazonaws.com', name: 'DeleteTrail', request: { name: `arn:aws:cloudtrail:us-east-1:${ACCOUNT}:trail/security-audit` } });

  s.trail.push(...records);
  const refs: EventRef[] = records.map((r) => ({ dataset: 'aws.cloudtrail', match: { 'aws.cloudtrail.event_id': r.eventID } }));
  addIncident(s, 'iam-account-takeover', 'Phished IAM administrator: console sign-in without MFA, persistence, data staged out, logs deleted',
    `ops-admin signs in from ${ATTACKER_IP} with the password alone, plants an access key and a console password for backup-svc (used at once), weakens the password policy and a SAML provider, replicates corp-backups and shares an AMI and a snapshot with account ${OUTSIDE_ACCOUNT}, launches a c5.4xlarge in ${FAR_REGION} open to SSH from anywhere, deletes a network ACL entry, a log group and the security-audit trail.`,
    from, t, refs, [RULES.trailTamper]);
}

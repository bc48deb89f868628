import type { Finding, InsightReport, TableSection } from '../report.js';
import type { InputProblem, ParsedPosture, TrailInput } from './parse.js';
import { eventCoverage, type Coverage } from './selectors.js';

/**
 * Trail posture as data: each check says when a trail is weak, why that matters, and the command
 * that fixes it. `undefined` from `weak` means the input does not say (the check is skipped).
 */
interface Check {
  id: string;
  severity: Finding['severity'];
  weak: (t: TrailInput, c: ReturnType<typeof eventCoverage>) => boolean | string | undefined;
  title: string;
  why: string;
  fix: (name: string, t: TrailInput) => string;
}

const cli = (name: string, args: string) => `aws cloudtrail update-trail --name ${name} ${args}`;
/** A full describe-trails entry (not just a name): absent settings then mean "off". */
const described = (t: TrailInput) => t.config.HomeRegion !== undefined || t.config.S3BucketName !== undefined;
const coverageWeak = (c: Coverage, level: Coverage['level']) => (c.level === 'unknown' ? undefined : c.level === level ? (c.note ?? true) : false);

const CHECKS: Check[] = [
  { id: 'not-logging', severity: 'critical', weak: (t) => (t.status ? t.status.IsLogging === false && (t.status.StopLoggingTime ? `stopped at ${String(t.status.StopLoggingTime)}` : true) : undefined), title: 'logging is off', why: 'The trail records nothing while it is stopped: every API call in that time is invisible, which is what an attacker who calls StopLogging wants.', fix: (n) => `aws cloudtrail start-logging --name ${n}, then find who stopped it (packettrail insights cloudtrail)` },
  { id: 'single-region', severity: 'high', weak: (t) => t.config.IsMultiRegionTrail === false, title: 'records one region only', why: 'Calls in every other region (where attackers start instances unseen) are not recorded.', fix: (n) => cli(n, '--is-multi-region-trail') },
  { id: 'no-global-events', severity: 'medium', weak: (t) => t.config.IncludeGlobalServiceEvents === false, title: 'global service events are off', why: 'IAM, STS and CloudFront calls are global service events: without them, new access keys, role assumptions and distribution changes are not recorded.', fix: (n) => cli(n, '--include-global-service-events') },
  { id: 'no-validation', severity: 'medium', weak: (t) => t.config.LogFileValidationEnabled === false, title: 'log file validation is off', why: 'Without digest files nobody can prove that delivered log files were not altered or deleted.', fix: (n) => cli(n, '--enable-log-file-validation') },
  { id: 'no-kms', severity: 'medium', weak: (t) => (described(t) ? !t.config.KmsKeyId : undefined), title: 'log files are not encrypted with a KMS key', why: 'With SSE-S3 only, anyone allowed to read the bucket reads the logs; a KMS key adds its own key policy and a record of every decryption.', fix: (n) => cli(n, '--kms-key-id alias/cloudtrail-logs (the key policy must let cloudtrail.amazonaws.com use it)') },
  { id: 'not-organization', severity: 'low', weak: (t) => t.config.IsOrganizationTrail === false, title: 'not an organization trail', why: 'Only this account is recorded; accounts of the organization without a trail of their own are blind.', fix: (n) => `from the management account: ${cli(n, '--is-organization-trail')}` },
  { id: 'no-s3', severity: 'high', weak: (t) => (described(t) ? !t.config.S3BucketName : undefined), title: 'delivers to no S3 bucket', why: 'Without a bucket there is no long-term copy of the events beyond 90 days of event history.', fix: (n) => cli(n, '--s3-bucket-name BUCKET') },
  { id: 's3-delivery-error', severity: 'high', weak: (t) => t.status?.LatestDeliveryError || false, title: 'delivery to S3 is failing', why: 'Events are recorded but the log files do not reach the bucket (bucket policy, KMS key policy or a deleted bucket).', fix: (_n, t) => `fix the bucket policy of ${t.config.S3BucketName ?? 'the bucket'}: allow cloudtrail.amazonaws.com s3:PutObject on its AWSLogs/ prefix (and kms:GenerateDataKey on the key)` },
  { id: 'no-cloudwatch', severity: 'medium', weak: (t) => (described(t) ? !t.config.CloudWatchLogsLogGroupArn : undefined), title: 'not delivered to CloudWatch Logs', why: 'Without CloudWatch Logs there are no near-real-time metric filters and alarms on API activity (root use, StopLogging, security group changes).', fix: (n) => cli(n, '--cloud-watch-logs-log-group-arn LOG_GROUP_ARN --cloud-watch-logs-role-arn ROLE_ARN') },
  { id: 'cloudwatch-delivery-error', severity: 'medium', weak: (t) => t.status?.LatestCloudWatchLogsDeliveryError || false, title: 'delivery to CloudWatch Logs is failing', why: 'Alarms built on the log group see nothing.', fix: () => 'check the CloudWatch Logs role (trust policy for cloudtrail.amazonaws.com, logs:CreateLogStream and logs:PutLogEvents on the group)' },
  { id: 'digest-delivery-error', severity: 'medium', weak: (t) => t.status?.LatestDigestDeliveryError || false, title: 'digest files are not delivered', why: 'Log file validation cannot work without its digest files.', fix: () => 'check the bucket policy and KMS key policy for the CloudTrail-Digest/ prefix' },
  { id: 'management-off', severity: 'high', weak: (_t, c) => coverageWeak(c.management, 'none'), title: 'records no management events', why: 'Management events are the control-plane calls (IAM, security groups, trails): without them the trail misses every configuration change.', fix: (n) => `aws cloudtrail put-event-selectors --trail-name ${n} --advanced-event-selectors '[{"Name":"Management events","FieldSelectors":[{"Field":"eventCategory","Equals":["Management"]}]}]'` },
  { id: 'management-partial', severity: 'medium', weak: (_t, c) => coverageWeak(c.management, 'partial'), title: 'records only part of the management events', why: 'Calls left out (write calls, excluded services) are exactly what an audit needs.', fix: (n) => `remove the readOnly/eventSource restrictions from the management selector (aws cloudtrail put-event-selectors --trail-name ${n} …)` },
  { id: 's3-data-off', severity: 'medium', weak: (_t, c) => coverageWeak(c.s3, 'none'), title: 'records no S3 data events', why: 'Object-level access (GetObject, PutObject, DeleteObject) is invisible: data theft from buckets and deletion of log files leave no trace.', fix: (n) => `aws cloudtrail put-event-selectors --trail-name ${n} --advanced-event-selectors '[{"Name":"S3 data events","FieldSelectors":[{"Field":"eventCategory","Equals":["Data"]},{"Field":"resources.type","Equals":["AWS::S3::Object"]}]}]' (add the management selector too)` },
  { id: 's3-data-partial', severity: 'low', weak: (_t, c) => coverageWeak(c.s3, 'partial'), title: 'records S3 data events for some buckets or calls only', why: 'Buckets or calls outside the selector are not recorded.', fix: (n) => `widen the S3 data event selector of ${n} to the buckets that hold sensitive data and logs, all calls` },
  { id: 'lambda-data-off', severity: 'low', weak: (_t, c) => coverageWeak(c.lambda, 'none'), title: 'records no Lambda data events', why: 'Function invocations (Invoke) are not recorded.', fix: (n) => `aws cloudtrail put-event-selectors --trail-name ${n} --advanced-event-selectors '[…,{"Name":"Lambda data events","FieldSelectors":[{"Field":"eventCategory","Equals":["Data"]},{"Field":"resources.type","Equals":["AWS::Lambda::Function"]}]}]'` },
  { id: 'lambda-data-partial', severity: 'info', weak: (_t, c) => coverageWeak(c.lambda, 'partial'), title: 'records Lambda data events for some functions or calls only', why: 'Functions or calls outside the selector are not recorded.', fix: (n) => `widen the Lambda data event selector of ${n}` },
];

const name = (t: TrailInput) => t.config.Name ?? t.config.TrailARN!.replace(/^.*:trail\//, '');
const yesNo = (v: boolean | undefined) => (v === undefined ? 'unknown' : v ? 'yes' : 'no');
const coverageText = (c: Coverage) => (c.level === 'partial' ? `partial (${c.note})` : c.level);

function trailFindings(t: TrailInput): Finding[] {
  const c = eventCoverage(t);
  const out: Finding[] = [];
  for (const check of CHECKS) {
    const w = check.weak(t, c);
    if (!w) continue;
    out.push({
      severity: check.severity,
      title: `${name(t)}: ${check.title}`,
      detail: `${check.why}${typeof w === 'string' ? ` (${w})` : ''}`,
      fix: check.fix(name(t), t),
      facts: { trail: t.config.TrailARN ?? name(t), check: check.id, files: t.files.join(', ') },
    });
  }
  if (!t.status) out.push({ severity: 'info', title: `${name(t)}: logging state not assessed`, detail: 'Pass the get-trail-status output to check whether the trail is logging and delivering.', facts: { trail: t.config.TrailARN ?? name(t), check: 'status-missing' } });
  if (c.management.level === 'unknown') out.push({ severity: 'info', title: `${name(t)}: event selectors not assessed`, detail: 'The trail has custom event selectors: pass the get-event-selectors output to check management and data events.', facts: { trail: t.config.TrailARN ?? name(t), check: 'selectors-missing' } });
  return out;
}

function accountFindings(trails: readonly TrailInput[], problems: number): Finding[] {
  // With inputs that could not be read or parsed, "no trail" is unknown, not a finding: the problems say why.
  if (!trails.length && problems) return [];
  if (!trails.length) return [{ severity: 'critical', title: 'No trail', detail: 'The inputs list no trail: without one, API activity is kept only 90 days in event history and cannot be delivered or alarmed on.', fix: 'aws cloudtrail create-trail --name org-trail --s3-bucket-name BUCKET --is-multi-region-trail --enable-log-file-validation, then start-logging', facts: { check: 'no-trail' } }];
  const covering = trails.filter((t) => t.config.IsMultiRegionTrail && t.status?.IsLogging !== false);
  if (covering.length) return [];
  return [{ severity: 'high', title: 'No logging multi-region trail', detail: 'No trail that is logging records every region: activity in the regions left out is invisible.', fix: 'make one trail multi-region (aws cloudtrail update-trail --name NAME --is-multi-region-trail) and keep it logging', facts: { check: 'no-multi-region-trail' } }];
}

/** The posture report: a table of trails and their settings, and the findings with reason and fix. */
export function postureReport(parsed: ParsedPosture, started = Date.now()): InsightReport {
  const table: TableSection = {
    kind: 'table', id: 'trails', title: 'Trails',
    columns: ['trail', 'home region', 'logging', 'multi-region', 'global events', 'validation', 'KMS', 'organization', 'S3 bucket', 'CloudWatch Logs', 'management', 'S3 data', 'Lambda data'].map((n) => ({ name: n, type: 'string' as const })),
    rows: parsed.trails.map((t) => {
      const c = eventCoverage(t);
      return [
        name(t), t.config.HomeRegion ?? null, yesNo(t.status?.IsLogging), yesNo(t.config.IsMultiRegionTrail), yesNo(t.config.IncludeGlobalServiceEvents),
        yesNo(t.config.LogFileValidationEnabled), t.config.KmsKeyId ? 'yes' : 'no', yesNo(t.config.IsOrganizationTrail), t.config.S3BucketName ?? 'none',
        t.config.CloudWatchLogsLogGroupArn ? 'yes' : 'no', coverageText(c.management), coverageText(c.s3), coverageText(c.lambda),
      ];
    }),
  };
  const findings = [...accountFindings(parsed.trails, parsed.problems.length), ...parsed.trails.flatMap(trailFindings)];
  return {
    view: 'posture', title: `CloudTrail posture — ${parsed.trails.length} trail${parsed.trails.length === 1 ? '' : 's'}`, range: { since: null, until: null },
    sections: [{ kind: 'findings', id: 'posture-findings', title: 'Findings', findings }, table], tookMs: Date.now() - started,
  };
}

export function problemText(p: InputProblem): string {
  return `${p.file}: ${p.message}`;
}

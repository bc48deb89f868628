/**
 * Which format an S3 object holds, from its key: AWS services and log exporters write to fixed
 * layouts. The first matching rule wins; rules from the config come before these; an object no
 * rule matches is recognized from its content (`auto`).
 */
import { compileRegex } from '../util/re2.js';

export interface KeyFormatRule {
  /** A key glob (see `globToRegExp`) or a regular expression over the whole key. */
  pattern: string | RegExp;
  format: string;
  why: string;
}

export const KEY_FORMATS: readonly KeyFormatRule[] = [
  { pattern: 'AWSLogs/**/CloudTrail', format: 'aws.cloudtrail', why: 'CloudTrail trail delivery (AWSLogs/[<org id>/]<account>/CloudTrail/<region>/…)' },
  { pattern: 'AWSLogs/**/CloudTrail-Digest', format: 'aws.cloudtrail', why: 'CloudTrail digest files (counted and skipped by the format)' },
  { pattern: 'AWSLogs/**/CloudTrail-Insight', format: 'aws.cloudtrail', why: 'CloudTrail Insights events' },
  { pattern: '*/vpcflowlogs', format: 'aws.vpcflow', why: 'VPC flow logs delivered to S3 (AWSLogs/<account>/vpcflowlogs/<region>/…)' },
  { pattern: 'AWSLogs/*/elasticloadbalancing', format: 'aws.alb', why: 'ALB/NLB/classic ELB access logs' },
  { pattern: 'AWSLogs/*/WAFLogs', format: 'aws.waf', why: 'WAF logs delivered to S3' },
  { pattern: 'AWSLogs/*/vpcdnsquerylogs', format: 'aws.route53resolver', why: 'Route 53 Resolver query logs' },
  { pattern: /(?:^|\/)[A-Z0-9]{6,20}\.\d{4}-\d{2}-\d{2}-\d{2}\.[A-Za-z0-9]+(?:\.gz)?$/, format: 'aws.cloudfront', why: 'CloudFront standard log objects (<distribution>.<YYYY-MM-DD-HH>.<id>.gz)' },
  { pattern: /(?:^|\/)\d{4}-\d{2}-\d{2}-\d{2}-\d{2}-\d{2}-[0-9A-F]{16}$/, format: 'aws.s3access', why: 'S3 server access log objects (<YYYY-mm-DD-HH-MM-SS>-<16 hex>)' },
  { pattern: '*/dnslogs', format: 'cisco.umbrella', why: 'Cisco Umbrella S3 export (dnslogs/, proxylogs/, iplogs/ …)' },
  { pattern: '*/proxylogs', format: 'cisco.umbrella', why: 'Cisco Umbrella S3 export' },
  { pattern: '*/iplogs', format: 'cisco.umbrella', why: 'Cisco Umbrella S3 export' },
  { pattern: '*/firewalllogs', format: 'cisco.umbrella', why: 'Cisco Umbrella S3 export' },
];

/**
 * A key glob: `*` is any run of characters within one path segment, `**` any run across segments,
 * `?` one character. The glob matches when it matches whole segments somewhere in the key
 * (`AWSLogs/*\/CloudTrail` matches `org/AWSLogs/123/CloudTrail/eu-west-1/…`); `^` at its start
 * anchors it to the start of the key, `$` at its end to the end.
 */
export function globToRegExp(glob: string): KeyMatcher {
  const anchoredStart = glob.startsWith('^');
  const anchoredEnd = glob.endsWith('$');
  const body = glob.slice(anchoredStart ? 1 : 0, anchoredEnd ? -1 : undefined).replace(/^\/+|\/+$/g, '');
  let re = '';
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (c === '*' && body[i + 1] === '*') {
      re += '.*';
      i++;
    } else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else re += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  // On RE2: keys come from the bucket, and `a/**/a/**/a/**/b` backtracks for seconds on V8 per crafted key.
  // Config globs are at most 512 characters (s3sqs/input-type.ts), well within compileRegex's limits.
  return compileRegex(`${anchoredStart ? '^' : '(?:^|/)'}${re}${anchoredEnd ? '$' : '(?:/|$)'}`);
}

/** What a key pattern needs: the built-in RegExps are ours; globs from configs run on RE2. */
export interface KeyMatcher {
  test(key: string): boolean;
}

export class KeyFormats {
  private readonly rules: { re: KeyMatcher; format: string }[];

  constructor(overrides: readonly { pattern: string; format: string }[] = [], builtin: readonly KeyFormatRule[] = KEY_FORMATS) {
    this.rules = [...overrides, ...builtin].map((r) => ({ re: typeof r.pattern === 'string' ? globToRegExp(r.pattern) : r.pattern, format: r.format }));
  }

  /** The format for a key, or `auto` to recognize it from the content. */
  formatFor(key: string): string {
    return this.rules.find((r) => r.re.test(key))?.format ?? 'auto';
  }
}

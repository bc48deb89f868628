import { getPath, type EcsEvent } from '../../ecs/event.js';

/**
 * What a single-event match is about, so duplicate suppression folds repeats of a rule on the same
 * entity (one host, one account, one client) and never repeats on different ones: the same rule
 * firing on two hosts is two alerts. Every dataset keys on the host, the account and the client
 * address when its events carry them; the table adds what else names the entity in each dataset.
 */
export const COMMON_KEY_FIELDS: readonly string[] = ['host.name', 'user.name', 'source.ip'];

export const DATASET_KEY_FIELDS: Readonly<Record<string, readonly string[]>> = {
  // The account acting (Security Subject*, Sysmon User) and the one acted on or logged on (Target*).
  'windows.event': ['winlog.event_data.SubjectUserName', 'winlog.event_data.TargetUserName', 'winlog.event_data.User'],
  'microsoft.defender': ['host.id', 'user.id'],
  'aws.cloudtrail': ['cloud.account.id', 'user.id', 'aws.cloudtrail.user_identity.arn'],
  'aws.cloudfront': ['url.domain'],
  'aws.alb': ['observer.name'],
  'aws.waf': ['cloud.account.id', 'aws.waf.web_acl_name'],
  'aws.s3access': ['aws.s3access.bucket', 'user.id'],
  'aws.vpcflow': ['cloud.account.id', 'aws.vpcflow.interface_id'],
  'aws.route53resolver': ['cloud.account.id', 'aws.route53.vpc_id'],
  'panw.panos': ['observer.serial_number', 'source.user.name'],
  'zscaler.zia': ['user.email'],
  'cisco.umbrella': ['user.email'],
};

/** A key field's value is kept to this many characters: it names an entity, it does not carry content. */
export const MAX_KEY_VALUE_CHARS = 256;

const splitCache = new Map<string, string[]>();
function parts(path: string): string[] {
  let p = splitCache.get(path);
  if (!p) splitCache.set(path, (p = path.split('.')));
  return p;
}

/**
 * The suppression key of a match: the match's own key (a correlation's group, an intel indicator)
 * plus the entity fields of the event's dataset that it holds. Undefined when there is neither.
 */
export function entityKey(event: EcsEvent, own: Record<string, string> | undefined): Record<string, string> | undefined {
  let key: Record<string, string> | undefined = own ? { ...own } : undefined;
  const dataset = event.event?.dataset;
  const extra = typeof dataset === 'string' ? DATASET_KEY_FIELDS[dataset] : undefined;
  for (const list of extra ? [COMMON_KEY_FIELDS, extra] : [COMMON_KEY_FIELDS]) {
    for (const f of list) {
      if (key?.[f] !== undefined) continue;
      const v = getPath(event, parts(f));
      if (typeof v === 'string' ? v !== '' : typeof v === 'number') (key ??= {})[f] = String(v).slice(0, MAX_KEY_VALUE_CHARS);
    }
  }
  return key;
}

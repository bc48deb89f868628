/**
 * ECS `event.category` / `event.type` for a CloudTrail API call, from tables: the service (eventSource)
 * gives the category, the verb that starts the API name gives the type. Results are cached per
 * (eventSource, eventName): a trail has a few hundred distinct APIs and millions of records.
 */
export interface Classification {
  category: string[];
  type: string[];
  kind: 'event' | 'alert';
}

/** Category by service. Services not listed get `configuration` for control-plane writes. */
const CATEGORY_BY_SOURCE: Record<string, string> = {
  'iam.amazonaws.com': 'iam',
  'identitystore.amazonaws.com': 'iam',
  'sso-directory.amazonaws.com': 'iam',
  'sso.amazonaws.com': 'iam',
  'access-analyzer.amazonaws.com': 'iam',
  'signin.amazonaws.com': 'authentication',
  'sts.amazonaws.com': 'authentication',
  'cognito-identity.amazonaws.com': 'authentication',
  'cognito-idp.amazonaws.com': 'iam',
  // Network services' APIs change configuration; `network` is for traffic, whose ECS types do not fit.
  'network-firewall.amazonaws.com': 'configuration',
  'route53resolver.amazonaws.com': 'configuration',
  'elasticloadbalancing.amazonaws.com': 'configuration',
  'cloudfront.amazonaws.com': 'configuration',
  'wafv2.amazonaws.com': 'configuration',
  'waf.amazonaws.com': 'configuration',
  'waf-regional.amazonaws.com': 'configuration',
  'cloudtrail.amazonaws.com': 'configuration',
  'config.amazonaws.com': 'configuration',
  'guardduty.amazonaws.com': 'configuration',
  'securityhub.amazonaws.com': 'configuration',
  'kms.amazonaws.com': 'configuration',
  'organizations.amazonaws.com': 'configuration',
};

/** EC2 APIs about instances and their disks (the rest of ec2 is VPC plumbing: configuration). */
const S3_SOURCE = /^s3(express)?\.amazonaws\.com$/;
const S3_OBJECT = /Object|MultipartUpload|UploadPart/;
const EC2_HOST = /Instance|Image|Volume|Snapshot|KeyPair|LaunchTemplate|SerialConsole/;

/** Verb prefix → ECS type, longest prefixes first within each group. */
const TYPE_BY_VERB: [RegExp, string][] = [
  [/^(Create|Add|Run|Launch|Register|Allocate|Import|Upload|Issue|Copy|Request|Provision|Invite)/, 'creation'],
  [/^(Delete|Remove|Terminate|Deregister|Release|Purge|Deactivate|Cancel|Schedule(Key)?Deletion)/, 'deletion'],
  [/^(Put|Update|Modify|Set|Attach|Detach|Enable|Disable|Change|Replace|Tag|Untag|Associate|Disassociate|Reset|Restore|Start|Stop|Reboot|Revoke|Authorize|Apply|Accept|Reject|Rotate|Activate|Move|Rename|Edit|Grant|Retire|Upgrade|Assign|Unassign|Subscribe|Unsubscribe|Patch|Configure)/, 'change'],
  [/^(Get|List|Describe|Head|Lookup|Search|Scan|Query|Select|BatchGet|Check|Preview|Simulate|View|Decrypt|Encrypt|GenerateDataKey|Download|Export)/, 'access'],
];

/** Allowed ECS types per category (ECS 8.x): a type outside the list falls back to `info`. */
const ALLOWED: Record<string, Set<string>> = {
  iam: new Set(['admin', 'change', 'creation', 'deletion', 'group', 'info', 'user']),
  authentication: new Set(['start', 'end', 'info']),
  configuration: new Set(['access', 'change', 'creation', 'deletion', 'info']),
  file: new Set(['access', 'change', 'creation', 'deletion', 'info']),
  host: new Set(['access', 'change', 'end', 'info', 'start']),
};

/** Sign-in and credential-issuing calls: an authentication session starts. */
const SESSION_START = new Set([
  'ConsoleLogin', 'UserAuthentication', 'CredentialVerification', 'CredentialChallenge', 'CheckMfa', 'AssumeRole',
  'AssumeRoleWithSAML', 'AssumeRoleWithWebIdentity', 'GetSessionToken', 'GetFederationToken', 'Federate',
  'GetSigninToken', 'Authenticate', 'SwitchRole', 'ExitRole', 'RenewRole',
]);
const SESSION_END = new Set(['ConsoleLogout', 'Logout', 'SignOut']);

const HOST_TYPE: Record<string, string> = { creation: 'start', deletion: 'end' };

const cache = new Map<string, Classification>();
const CACHE_LIMIT = 10_000;

export function classify(eventSource: string, eventName: string, readOnly: boolean | undefined, dataEvent: boolean, insight: boolean): Classification {
  if (insight) return { kind: 'alert', category: [], type: ['info'] };
  const key = `${eventSource}\u0000${eventName}\u0000${readOnly === true ? 1 : 0}${dataEvent ? 1 : 0}`;
  const hit = cache.get(key);
  if (hit) return { kind: hit.kind, category: [...hit.category], type: [...hit.type] };
  const c = compute(eventSource, eventName, readOnly, dataEvent);
  if (cache.size < CACHE_LIMIT) cache.set(key, c);
  return { kind: c.kind, category: [...c.category], type: [...c.type] };
}

function compute(eventSource: string, eventName: string, readOnly: boolean | undefined, dataEvent: boolean): Classification {
  if (SESSION_START.has(eventName)) return { kind: 'event', category: ['authentication'], type: ['start'] };
  if (SESSION_END.has(eventName)) return { kind: 'event', category: ['authentication'], type: ['end'] };
  let verbType = 'info';
  for (const [pattern, type] of TYPE_BY_VERB) {
    if (pattern.test(eventName)) {
      verbType = type;
      break;
    }
  }

  // Own entries only: an eventSource of `constructor` or `hasOwnProperty` must not find Object's members.
  let category: string | undefined = Object.hasOwn(CATEGORY_BY_SOURCE, eventSource) ? CATEGORY_BY_SOURCE[eventSource] : undefined;
  if (!category && eventSource === 'ec2.amazonaws.com' && EC2_HOST.test(eventName)) category = 'host';
  // S3 object operations are data, not configuration.
  if (!category && S3_SOURCE.test(eventSource) && S3_OBJECT.test(eventName)) category = 'file';
  if (!category && verbType !== 'access' && verbType !== 'info' && readOnly !== true && !dataEvent) category = 'configuration';
  if (!category) return { kind: 'event', category: [], type: [verbType] };

  const allowed = ALLOWED[category]!;
  const types: string[] = [];
  if (category === 'iam') {
    // IAM also says what kind of principal changed.
    if (/User|LoginProfile|AccessKey|MFADevice|SSHPublicKey/.test(eventName)) types.push('user');
    else if (/Group/.test(eventName)) types.push('group');
    else if (/Policy|Role|Permission/.test(eventName) && verbType !== 'access') types.push('admin');
  }
  // Hosts start and end rather than being created and deleted (RunInstances, TerminateInstances).
  const type = category === 'host' ? (HOST_TYPE[verbType] ?? verbType) : verbType;
  types.push(allowed.has(type) ? type : 'info');
  return { kind: 'event', category: [category], type: types };
}

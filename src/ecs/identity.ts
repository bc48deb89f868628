import type { EcsObject } from './event.js';

/**
 * One identity normalizer for every vendor, so hops can be joined by user. Each vendor writes the
 * same person differently:
 *   CORP\lee.cole · lee.cole@corp.example · Lee COLE (lee.cole@corp.example) · Cole, Lee (lee.cole@corp.example)
 *   arn:aws:sts::123456789012:assumed-role/Admin/lee.cole@corp.example · CN=Lee Cole,OU=Users,DC=corp,DC=example
 * All become `user.name` = `lee.cole`, `user.domain`, `user.email`, `user.full_name` where present.
 * Rules are tried in order (data, not branches); the first that matches wins.
 */
export interface Identity {
  name: string;
  domain?: string;
  email?: string;
  full_name?: string;
  /** AWS role (assumed-role ARNs) or similar qualifier the identity was written with. */
  role?: string;
}

interface Rule {
  pattern: RegExp;
  build(m: RegExpExecArray): Identity | undefined;
}

const EMAIL = /^([^@\s]+)@([^@\s]+\.[^@\s]+)$/;

function fromEmail(value: string, extra: Partial<Identity> = {}): Identity | undefined {
  const m = EMAIL.exec(value.trim());
  if (!m) return undefined;
  const local = m[1]!.toLowerCase();
  const domain = m[2]!.toLowerCase();
  return { name: local, domain, email: `${local}@${domain}`, ...extra };
}

function fullName(text: string): string | undefined {
  let t = text.trim().replace(/\s+/g, ' ');
  if (!t) return undefined;
  // "Cole, Lee" (AD display form) → "Lee Cole"
  const comma = /^([^,]+),\s*(.+)$/.exec(t);
  if (comma) t = `${comma[2]} ${comma[1]}`;
  // "Lee COLE" → "Lee Cole": vendors upper-case surnames
  return t
    .split(' ')
    .map((w) => (w.length > 1 && w === w.toUpperCase() && /[A-Z]/.test(w) ? w[0] + w.slice(1).toLowerCase() : w))
    .join(' ');
}

const RULES: Rule[] = [
  // Display name with e-mail: "Lee COLE (lee.cole@corp.example)", "Cole, Lee (lee.cole@corp.example)"
  { pattern: /^(.+?)\s*\(([^()\s]+@[^()\s]+)\)$/, build: (m) => withName(fromEmail(m[2]!), fullName(m[1]!)) },
  // "Lee Cole <lee.cole@corp.example>"
  { pattern: /^(.+?)\s*<([^<>\s]+@[^<>\s]+)>$/, build: (m) => withName(fromEmail(m[2]!), fullName(m[1]!)) },
  // AWS STS assumed role: arn:aws:sts::<account>:assumed-role/<role>/<session>
  {
    pattern: /^arn:aws[\w-]*:sts::\d{12}:assumed-role\/([^/]+)\/(.+)$/,
    build: (m) => fromEmail(m[2]!, { role: m[1]! }) ?? { name: m[2]!.toLowerCase(), role: m[1]! },
  },
  // AWS IAM user: arn:aws:iam::<account>:user/<path/>name
  { pattern: /^arn:aws[\w-]*:iam::\d{12}:user\/(?:.*\/)?([^/]+)$/, build: (m) => fromEmail(m[1]!) ?? { name: m[1]!.toLowerCase() } },
  // Distinguished name: CN=Lee Cole,OU=…,DC=corp,DC=example
  {
    pattern: /^CN=([^,]+),(?:.*?,)?DC=([^,]+)(?:,DC=[^,]+)*$/i,
    build: (m) => {
      const full = fullName(m[1]!.replace(/\\,/g, ','));
      if (!full) return undefined;
      return { name: full.toLowerCase().replace(/\s+/g, '.'), domain: m[2]!.toLowerCase(), full_name: full };
    },
  },
  // Down-level logon name: CORP\lee.cole
  { pattern: /^([^\\/\s]+)\\([^\\\s]+)$/, build: (m) => ({ name: m[2]!.toLowerCase(), domain: m[1]!.toLowerCase() }) },
  // UPN or e-mail
  { pattern: EMAIL, build: (m) => fromEmail(m[0]) },
  // Percent-encoded values (Zscaler: jdoe%40corp.example)
  { pattern: /%40/i, build: (m) => normalizeIdentity(decodeURIComponent(m.input)) },
  // A plain account name
  { pattern: /^[\w.$-]+$/, build: (m) => ({ name: m[0].toLowerCase() }) },
];

function withName(id: Identity | undefined, full: string | undefined): Identity | undefined {
  if (!id) return undefined;
  if (full && full.toLowerCase() !== id.email) id.full_name = full;
  return id;
}

/** Values vendors write when there is no user. */
const NO_USER = new Set(['', '-', 'none', 'n/a', 'na', 'null', 'unknown', 'system', 'anonymous']);

export function normalizeIdentity(raw: string | undefined | null): Identity | undefined {
  if (raw === undefined || raw === null) return undefined;
  const value = raw.trim();
  if (NO_USER.has(value.toLowerCase())) return undefined;
  for (const rule of RULES) {
    const m = rule.pattern.exec(value);
    if (m) {
      try {
        const id = rule.build(m);
        if (id) return id;
      } catch {
        /* malformed percent-encoding and the like: try the next rule */
      }
    }
  }
  return undefined;
}

/** ECS `user.*` fields for an identity (merging into `into` when given). */
export function identityToEcs(id: Identity, into: EcsObject = {}): EcsObject {
  into.name = id.name;
  if (id.domain) into.domain = id.domain;
  if (id.email) into.email = id.email;
  if (id.full_name) into.full_name = id.full_name;
  return into;
}

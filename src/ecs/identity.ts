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

// A UPN suffix may be a single label (`lee.cole@corp`); only dotted domains make an e-mail address.
const UPN = /^([^@\s]+)@([^@\s.]+(?:\.[^@\s.]+)*)$/;
// Longer values are not identities (a pasted token, a whole header); refusing them bounds regex work.
const MAX_LENGTH = 512;

function fromUpn(value: string, extra: Partial<Identity> = {}): Identity | undefined {
  const m = UPN.exec(value.trim());
  if (!m) return undefined;
  const local = m[1]!.toLowerCase();
  const domain = m[2]!.toLowerCase();
  const id: Identity = { name: local, domain, ...extra };
  if (domain.indexOf('.') > 0) id.email = `${local}@${domain}`;
  return id;
}

function fullName(text: string): string | undefined {
  let t = text.trim().replace(/^["']|["']$/g, '').replace(/\s+/g, ' ');
  if (!t) return undefined;
  // "Cole, Lee" (AD display form) → "Lee Cole"
  const comma = /^([^,]+),\s*(.+)$/.exec(t);
  if (comma) t = `${comma[2]} ${comma[1]}`;
  // "Lee COLE" → "Lee Cole": vendors upper-case surnames
  return t
    .split(' ')
    .map((w) => (w.length > 1 && w === w.toUpperCase() && /\p{Lu}/u.test(w) ? w[0] + w.slice(1).toLowerCase() : w))
    .join(' ');
}

/** `DC=corp,DC=example` → `corp.example`. */
function dnDomain(dn: string): string | undefined {
  const parts: string[] = [];
  for (const m of dn.matchAll(/(?:^|,)\s*DC=([^,]+)/gi)) parts.push(m[1]!.trim().toLowerCase());
  return parts.length ? parts.join('.') : undefined;
}

const RULES: Rule[] = [
  // Display name with e-mail: "Lee COLE (lee.cole@corp.example)", "Cole, Lee (lee.cole@corp.example)"
  { pattern: /^(.+?)\s*\(([^()\s]+@[^()\s]+)\)$/, build: (m) => withName(fromUpn(m[2]!), fullName(m[1]!)) },
  // "Lee Cole <lee.cole@corp.example>"
  { pattern: /^(.+?)\s*<([^<>\s]+@[^<>\s]+)>$/, build: (m) => withName(fromUpn(m[2]!), fullName(m[1]!)) },
  // AWS STS assumed role: arn:aws:sts::<account>:assumed-role/<role>/<session>
  {
    pattern: /^arn:aws[\w-]*:sts::\d{12}:assumed-role\/([^/]+)\/(.+)$/,
    build: (m) => fromUpn(m[2]!, { role: m[1]! }) ?? { name: m[2]!.toLowerCase(), role: m[1]! },
  },
  // AWS IAM user: arn:aws:iam::<account>:user/<path/>name
  { pattern: /^arn:aws[\w-]*:iam::\d{12}:user\/(?:.*\/)?([^/]+)$/, build: (m) => fromUpn(m[1]!) ?? { name: m[1]!.toLowerCase() } },
  // AWS account root user
  { pattern: /^arn:aws[\w-]*:iam::\d{12}:root$/, build: () => ({ name: 'root' }) },
  // Distinguished name: CN=Lee Cole,OU=…,DC=corp,DC=example (escaped commas allowed in the CN)
  {
    pattern: /^CN=((?:\\,|[^,])+)(?:,.*)?$/i,
    build: (m) => {
      const full = fullName(m[1]!.replace(/\\,/g, ','));
      if (!full) return undefined;
      const id: Identity = { name: full.toLowerCase().replace(/\s+/g, '.'), full_name: full };
      const domain = dnDomain(m.input);
      if (domain) id.domain = domain;
      return id;
    },
  },
  // Down-level logon name: CORP\lee.cole, NT AUTHORITY\LOCAL SERVICE
  {
    pattern: /^([^\\/@]+)\\([^\\]+)$/,
    build: (m) => {
      const domain = m[1]!.trim().toLowerCase();
      const name = m[2]!.trim().toLowerCase();
      // NT AUTHORITY\SYSTEM stays a user: detection rules look for it, unlike a bare "SYSTEM" placeholder.
      if (!domain || !name || name === '-') return undefined;
      return { name, domain };
    },
  },
  // UPN or e-mail
  { pattern: UPN, build: (m) => fromUpn(m[0]) },
  // Percent-encoded values (Zscaler: jdoe%40corp.example, CORP%5Cjdoe): decode once and start over
  {
    pattern: /%[0-9a-f]{2}/i,
    build: (m) => {
      const decoded = decodeURIComponent(m.input);
      return decoded === m.input ? undefined : normalizeIdentity(decoded);
    },
  },
  // A plain account name (letters of any script, digits, . _ - $)
  { pattern: /^[\p{L}\p{N}_.$-]+$/u, build: (m) => ({ name: m[0].toLowerCase() }) },
];

function withName(id: Identity | undefined, full: string | undefined): Identity | undefined {
  if (!id) return undefined;
  if (full && full.toLowerCase() !== id.email) id.full_name = full;
  return id;
}

/** Values vendors write when there is no user. */
const NO_USER = new Set(['', '-', '--', 'none', 'n/a', 'na', 'null', '(null)', 'undefined', 'unknown', '<unknown>', 'system', 'anonymous']);

export function normalizeIdentity(raw: string | undefined | null): Identity | undefined {
  if (raw === undefined || raw === null || typeof raw !== 'string') return undefined;
  let value = raw.trim();
  if (value.length > MAX_LENGTH) return undefined;
  // Quoted values ("lee.cole@corp.example") are the same identity.
  if (value.length > 1 && value[0] === '"' && value[value.length - 1] === '"') value = value.slice(1, -1).trim();
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

/**
 * One account written both as a logon name (name and domain, as Windows records it: `CORP` + `lee.cole`)
 * and as a user principal name (`lee.cole@corp.example`), as Defender, Entra and Windows logs do.
 * `user.name` and `user.domain` come from the logon name — the account as the host saw it — and the
 * UPN becomes `user.email` when it is an e-mail address (a dotted suffix, as `normalizeIdentity`
 * decides); a UPN alone gives name and domain as `normalizeIdentity` reads it. The caller keeps a UPN
 * that is no e-mail address (`lee.cole@corp`) in its vendor fields.
 */
export function normalizeAccount(name: string | undefined, domain: string | undefined, upn: string | undefined): Identity | undefined {
  const fromUpn = normalizeIdentity(upn);
  const logon = name ? normalizeIdentity(domain ? `${domain}\\${name}` : name) : undefined;
  return mergeAccount(logon, fromUpn);
}

/** `normalizeAccount` from identities already normalized (callers that cache them). */
export function mergeAccount(logon: Identity | undefined, fromUpn: Identity | undefined): Identity | undefined {
  if (!logon) return fromUpn;
  if (!fromUpn || (fromUpn.email === undefined && fromUpn.full_name === undefined)) return logon;
  const id: Identity = { ...logon };
  if (fromUpn.email !== undefined && id.email === undefined) id.email = fromUpn.email;
  if (fromUpn.full_name !== undefined && id.full_name === undefined) id.full_name = fromUpn.full_name;
  return id;
}

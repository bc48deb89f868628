import { listFormats } from '../formats/registry.js';
import { loadAliases, type AliasTable, type LookupCatalog } from '../query/spl/index.js';
import { allColumns, type Column } from '../store/schema.js';
import type { EventStore } from '../store/store.js';
import type { QueryGate } from './query-gate.js';
import type { RuleCatalog } from './routes/rules.js';
import type { SearchService } from '../searches/service.js';
import type { Access } from './users/access.js';
import type { AuditLog } from './users/audit.js';
import type { OidcRelyingParty } from './users/oidc.js';
import type { PasswordGate } from './users/passwords.js';
import type { SessionStore } from './users/sessions.js';
import type { LoginThrottle } from './users/throttle.js';
import type { UserStore } from './users/user-store.js';

/** What every route works with. */
export interface ServerContext {
  /** The database, opened read-only; SELECTs run side by side on its pool of read connections. */
  store: EventStore;
  dbPath: string;
  /** --read-only: nothing that writes (saved searches). */
  readOnly: boolean;
  /** Saved searches and their schedules (the store's, written by the process that holds it). */
  searches: SearchService;
  /** User queries (POST /api/query): their concurrency, queue, time and size limits, and shutdown. */
  queries: QueryGate;
  catalog: readonly Column[];
  aliases: AliasTable;
  /** SPL lookup tables (`serve --lookups`), read-only: outputlookup is refused in the console. */
  lookups?: LookupCatalog;
  version: string;
  /** The loaded rules (read once, on first use). */
  rules(): RuleCatalog;
  /** Whether an access token guards the API. */
  auth: boolean;
  /** Who may do what: the token, sessions, the token-less loopback console. */
  access: Access;
  users: UserStore;
  sessions: SessionStore;
  throttle: LoginThrottle;
  /** Password checks (scrypt) running at once. */
  passwords: PasswordGate;
  audit: AuditLog;
  /** OpenID Connect sign-in, when configured. */
  oidc?: OidcRelyingParty;
}

export function queryCatalog(): { catalog: Column[]; aliases: AliasTable } {
  const catalog = allColumns(listFormats());
  return { catalog, aliases: loadAliases(catalog, []) };
}

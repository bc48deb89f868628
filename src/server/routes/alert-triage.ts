import type { FastifyRequest } from 'fastify';
import {
  ALERT_STATUSES, checkTriageRequest, MAX_ALERT_ID_CHARS, MAX_BULK_ALERTS, MAX_NAME_CHARS, MAX_NOTE_CHARS, NOBODY, TriageInputError, type TriageRequest, type TriageVia,
} from '../../detect/alerts/triage.js';
import { applyTriage, UnknownAlertsError } from '../../store/alert-changes.js';
import type { ServerContext } from '../context.js';
import { badRequest, notFound } from '../errors.js';
import { obj, str, type ApiRoute } from './define.js';

interface TriageBody {
  ids: string[];
  status?: string;
  assignee?: string;
  note?: string;
}

/**
 * Sets the status and assignee of one alert or many (a bulk action on a selection), and adds a
 * note. An assignee is a local account, the caller (OIDC users have no account in the users file),
 * or `nobody`.
 */
async function triage(ctx: ServerContext, request: FastifyRequest) {
  const body = request.body as TriageBody;
  const id = request.identity;
  // The route needs an analyst: an identity is always there (anonymous callers got 401).
  const actor = id?.user ?? 'anonymous';
  const via = (id?.via === 'anonymous' || id === undefined ? 'token' : id.via) as TriageVia;
  let checked: TriageRequest;
  try {
    checked = checkTriageRequest(body, (name) => name === actor || ctx.users.get(name) !== undefined);
  } catch (e) {
    if (e instanceof TriageInputError) throw badRequest(e.message);
    throw e;
  }
  try {
    const outcome = await applyTriage(ctx.store, checked, { actor, via });
    return { changed: outcome.changes.length, alerts: outcome.states };
  } catch (e) {
    if (e instanceof UnknownAlertsError) throw notFound(e.message);
    throw e;
  }
}

/** What the audit log says of a change: the fields set (a note by its length: notes may hold what the log should not). */
function detailOf(request: FastifyRequest): string {
  const b = request.body as Partial<TriageBody> | undefined;
  const parts: string[] = [];
  if (b?.status !== undefined) parts.push(`status=${b.status}`);
  if (b?.assignee !== undefined) parts.push(`assignee=${b.assignee}`);
  if (b?.note !== undefined) parts.push(`note (${[...b.note].length} characters)`);
  return parts.join(' ');
}

export const ALERT_TRIAGE_ROUTES: ApiRoute[] = [
  {
    method: 'POST',
    url: '/api/alerts/triage',
    role: 'analyst',
    writes: true,
    tag: 'alerts',
    summary: `Sets the status and/or the assignee of one or more alerts (at most ${MAX_BULK_ALERTS}) and/or adds a note to each; every change is kept in the alert's history.`,
    body: obj({
      ids: { type: 'array', items: str(MAX_ALERT_ID_CHARS, { minLength: 1 }), minItems: 1, maxItems: MAX_BULK_ALERTS },
      status: { type: 'string', maxLength: 40, description: ALERT_STATUSES.join(', ') },
      assignee: str(MAX_NAME_CHARS, { description: `an account name, or ${NOBODY}` }),
      note: str(MAX_NOTE_CHARS * 2, { description: `at most ${MAX_NOTE_CHARS} characters` }),
    }, ['ids']),
    response: { description: 'changed: rows written; alerts: each named alert\'s state after the change' },
    audit: {
      action: 'alert.triage',
      target: (request) => {
        const ids = (request.body as Partial<TriageBody> | undefined)?.ids ?? [];
        return ids.length === 1 ? `alert ${ids[0]}` : `${ids.length} alerts: ${ids.slice(0, 20).join(', ')}${ids.length > 20 ? ', …' : ''}`;
      },
      detail: detailOf,
    },
    handler: (ctx, request) => triage(ctx, request),
  },
];

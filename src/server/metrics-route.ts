import type { FastifyInstance } from 'fastify';
import { EXPOSITION_CONTENT_TYPE } from '../observe/exposition.js';
import { MetricsRegistry } from '../observe/metrics.js';
import { addProcessMetrics } from '../observe/process-metrics.js';
import type { ConnectionCounts } from '../util/connection-limits.js';
import type { QueryGate } from './query-gate.js';

/**
 * GET /metrics on the console: the process's metrics in the Prometheus text format, behind the
 * access control of every route (the viewer role, as the status page: a scraper sends the access token
 * as `Authorization: Bearer`, or the server is on loopback without token nor accounts). Not in the
 * OpenAPI document: it is not JSON. A console started without a registry gets one of its own.
 */
export function addMetricsRoute(app: FastifyInstance, given: MetricsRegistry | undefined, connections: () => ConnectionCounts, queries: QueryGate): void {
  const metrics = given ?? new MetricsRegistry();
  if (!given) addProcessMetrics(metrics, 'serve');
  metrics.gaugeCallback('packettrail_console_connections', 'Connections open to the console now.', [], () => [{ labels: {}, value: connections().open }]);
  metrics.counterCallback('packettrail_console_connections_refused_total', 'Connections closed on accept over a cap (cap: per-address or total).', ['cap'], () => {
    const c = connections();
    return [{ labels: { cap: 'per-address' }, value: c.refusedPerAddress }, { labels: { cap: 'total' }, value: c.refusedTotal }];
  });
  metrics.gaugeCallback('packettrail_console_queries', 'Console queries now (state: running, or queued waiting for a slot).', ['state'], () => {
    const l = queries.load;
    return [{ labels: { state: 'running' }, value: l.running }, { labels: { state: 'queued' }, value: l.queued }];
  });
  app.get('/metrics', { config: { role: 'viewer' } }, async (_request, reply) => reply.type(EXPOSITION_CONTENT_TYPE).send(metrics.render()));
}

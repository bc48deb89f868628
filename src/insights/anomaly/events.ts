import type { EcsEvent } from '../../ecs/event.js';
import { setPath } from '../../ecs/event.js';
import { isoFromMillis } from '../../ecs/time.js';
import type { EventFilter } from './anomaly.js';
import { spanSql, tsMs, type AnomalyContext, type Params } from './context.js';
import { probeKindSql } from './probes.js';

// Alert events carry these fields (column → ECS path): enough to see the request and to follow it.
const EVENT_FIELDS: [string, string][] = [
  ['event_id', 'event.id'], ['timestamp', '@timestamp'], ['aws_cloudfront_distribution_id', 'aws.cloudfront.distribution_id'],
  ['source_ip', 'source.ip'], ['http_request_method', 'http.request.method'], ['url_path', 'url.path'], ['url_query', 'url.query'],
  ['http_response_status_code', 'http.response.status_code'], ['aws_cloudfront_edge_location', 'aws.cloudfront.edge_location'],
  ['aws_cloudfront_edge_result_type', 'aws.cloudfront.edge_result_type'], ['user_agent_original', 'user_agent.original'],
  ['source_geo_country_iso_code', 'source.geo.country_iso_code'], ['source_as_number', 'source.as.number'], ['http_request_id', 'http.request.id'],
];

/** Up to `limit` events of the distribution matching the filter, earliest first, as ECS documents. */
export async function sampleEvents(ctx: AnomalyContext, distribution: string, f: EventFilter, limit: number): Promise<EcsEvent[]> {
  const params: Params = { d: distribution, limit };
  const { fn } = ctx.store.dialect;
  let where = `aws_cloudfront_distribution_id = $d${spanSql(fn, params, f.startMs, f.endMs)}`;
  if (f.ips?.length) where += ` AND ${fn.inList('source_ip', fn.stringListParam(params, 'ips', f.ips))}`;
  if (f.minStatus !== undefined) {
    params.minStatus = f.minStatus;
    where += ' AND http_response_status_code >= $minStatus';
  }
  if (f.edge !== undefined) {
    params.edge = f.edge;
    where += ' AND aws_cloudfront_edge_location = $edge';
  }
  if (f.probesOnly) where += ` AND (${probeKindSql(fn)}) IS NOT NULL`;
  const r = await ctx.store.query(
    `SELECT ${EVENT_FIELDS.map(([c]) => `"${c}"`).join(', ')} FROM ${ctx.from} AS t WHERE ${where} ORDER BY "timestamp", event_id LIMIT $limit`,
    params,
  );
  return r.rows.map((row) => {
    const event: EcsEvent = { event: { dataset: 'aws.cloudfront' } };
    EVENT_FIELDS.forEach(([c, path], i) => {
      let v = row[i];
      if (v === null || v === undefined) return;
      if (c === 'timestamp') v = isoFromMillis(tsMs(v) ?? 0);
      setPath(event, path, v as string | number);
    });
    return event;
  });
}

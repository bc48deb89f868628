import { randomUUID } from 'node:crypto';
import { StringDecoder } from 'node:string_decoder';
import { ClickHouseLogLevel, createClient, type ClickHouseClient, type ClickHouseSettings } from '@clickhouse/client';
import { stringLiteral } from './literals.js';
import { TsvResultReader } from './results.js';
import type { ClickHouseLocation } from './url.js';

/**
 * How long one HTTP request to ClickHouse may last (a load of a batch, a long query): a server that
 * stops answering fails the statement rather than hanging the run. Queries end sooner by their
 * own signal (QueryBounds).
 */
export const CLICKHOUSE_REQUEST_TIMEOUT_MS = 3_600_000;
/** Connections kept to each node. */
export const CLICKHOUSE_MAX_CONNECTIONS = 10;
/** How long the cancellation of a query (KILL QUERY) may take before it is left to the server. */
export const KILL_TIMEOUT_MS = 10_000;

export interface NodeOptions {
  requestTimeoutMs?: number;
}

/** One server of the store: its HTTP client and the few statement shapes the store needs. */
export class ClickHouseNode {
  readonly client: ClickHouseClient;

  constructor(
    readonly url: string,
    location: ClickHouseLocation,
    database: string | undefined,
    options: NodeOptions = {},
  ) {
    this.client = createClient({
      url,
      username: location.user,
      password: location.password,
      ...(database ? { database } : {}),
      request_timeout: options.requestTimeoutMs ?? CLICKHOUSE_REQUEST_TIMEOUT_MS,
      max_open_connections: CLICKHOUSE_MAX_CONNECTIONS,
      compression: { request: false, response: false },
      application: 'packettrail',
      // Errors reach the caller as exceptions; the client's own log would print them again, and its
      // warnings (about load balancers) do not apply.
      log: { level: ClickHouseLogLevel.OFF },
    });
  }

  /** A statement without a result (DDL, INSERT … SELECT). */
  async command(sql: string, settings: ClickHouseSettings = {}, extra: { session_id?: string; query_id?: string; abort_signal?: AbortSignal } = {}): Promise<void> {
    await this.client.command({ query: sql, clickhouse_settings: settings, ...extra });
  }

  /** A small SELECT's rows as strings (the store's own catalog lookups). */
  async rows(sql: string, settings: ClickHouseSettings = {}, session_id?: string): Promise<string[][]> {
    const r = await this.client.exec({ query: `${sql}\nFORMAT TSVWithNamesAndTypes`, clickhouse_settings: { wait_end_of_query: 1, ...settings }, ...(session_id ? { session_id } : {}) });
    const reader = new TsvResultReader(false);
    const out: string[][] = [];
    // A character's bytes may be split across chunks: the decoder keeps an incomplete one for the next.
    const decoder = new StringDecoder('utf8');
    let text = '';
    for await (const chunk of r.stream as AsyncIterable<Buffer>) text += decoder.write(chunk);
    text += decoder.end();
    for (const line of text.split('\n')) {
      if (!line) continue;
      const row = reader.line(line);
      if (row) out.push(row.map((v) => (v === null ? '' : String(v))));
    }
    return out;
  }

  /** Stops a running query on this node (its shards' parts stop with it). Failures are left to the server. */
  async kill(queryId: string): Promise<void> {
    const signal = AbortSignal.timeout(KILL_TIMEOUT_MS);
    await this.client.command({ query: `KILL QUERY WHERE query_id = ${stringLiteral(queryId)} ASYNC`, abort_signal: signal }).catch(() => {});
  }

  close(): Promise<void> {
    return this.client.close();
  }
}

/** A query id for `purpose`: KILL QUERY finds it, and loads find the orphaned loads of a killed run by its prefix. */
export function queryId(purpose: string): string {
  return `packettrail-${purpose}-${randomUUID()}`;
}

/**
 * Every node's HTTP address: the URL's `nodes=`, else the cluster's hosts from system.clusters with
 * the URL's HTTP port (the native ports there are not HTTP), else the URL's node alone.
 */
export async function nodeUrls(main: ClickHouseNode, location: ClickHouseLocation): Promise<string[]> {
  if (!location.cluster) return [location.url];
  if (location.nodes) return location.nodes;
  const rows = await main.rows(`SELECT DISTINCT host_address FROM system.clusters WHERE cluster = ${stringLiteral(location.cluster)}`);
  if (!rows.length) throw new Error(`cluster '${location.cluster}' is not in system.clusters of ${location.host}:${location.port} (check remote_servers, or the cluster= of the store URL)`);
  const scheme = location.secure ? 'https' : 'http';
  return rows.map(([host]) => `${scheme}://${host!.includes(':') ? `[${host}]` : host}:${location.port}`);
}

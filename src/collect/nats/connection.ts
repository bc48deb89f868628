import { connect, type NatsConnection } from '@nats-io/transport-node';

/** How long one connection attempt to a NATS server may take. */
export const NATS_CONNECT_TIMEOUT_MS = 10_000;
/** Wait between reconnection attempts after a server was lost (the client tries every listed server). */
export const NATS_RECONNECT_WAIT_MS = 1_000;

/**
 * `nats://a:4222,b:4222,c:4222` (or `nats://a:4222,nats://b:4222`): the servers of one cluster, as
 * `--to` and `--from` take them. Throws with what was expected when a part is not a host:port.
 */
export function parseNatsUrl(text: string): string[] {
  const trimmed = text.trim();
  if (!/^nats:\/\//i.test(trimmed)) throw new Error(`expected a nats:// URL (nats://host:port, several comma-separated for a cluster), got '${trimmed.slice(0, 100)}'`);
  const parts = trimmed.slice('nats://'.length).split(',').map((p) => p.trim().replace(/^nats:\/\//i, ''));
  const servers: string[] = [];
  for (const part of parts) {
    const m = /^(\[[0-9a-f:.]+\]|[\w.-]+)(?::(\d{1,5}))?$/i.exec(part);
    const port = m?.[2] === undefined ? 4222 : Number(m[2]);
    if (!m || port < 1 || port > 65_535) throw new Error(`expected host:port in the nats:// URL, got '${part.slice(0, 100)}'`);
    servers.push(`nats://${m[1]}:${port}`);
  }
  return servers;
}

/**
 * Connects to the servers of `url`, reconnecting for ever (a NATS node restarting must not end an
 * intake or a worker: publishes and pulls retry until it is back or another node answers).
 */
export async function connectNats(url: string, name: string): Promise<NatsConnection> {
  const servers = parseNatsUrl(url);
  try {
    return await connect({ servers, name, timeout: NATS_CONNECT_TIMEOUT_MS, maxReconnectAttempts: -1, reconnectTimeWait: NATS_RECONNECT_WAIT_MS });
  } catch (e) {
    throw new Error(`cannot connect to NATS at ${servers.join(', ')}: ${(e as Error).message}`);
  }
}

/** Servers in the cluster of the connected server (its gossip lists every client URL), at least 1. */
export function clusterSize(nc: NatsConnection): number {
  const urls = new Set(nc.info?.connect_urls ?? []);
  return Math.max(1, urls.size);
}

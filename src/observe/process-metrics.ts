import { createRequire } from 'node:module';
import type { MetricsRegistry } from './metrics.js';

const { version } = createRequire(import.meta.url)('../../package.json') as { version: string };

/** packettrail's version, as every process reports it (metrics, the process registry). */
export const PACKETTRAIL_VERSION = version;

/**
 * What every process exposes about itself, under Prometheus' usual names: version and kind, start
 * time, CPU seconds, resident memory and heap. `kind` is what runs: collect, worker, serve.
 */
export function addProcessMetrics(registry: MetricsRegistry, kind: string): void {
  const startedAt = Date.now() / 1000 - process.uptime();
  registry.gaugeCallback('packettrail_build_info', 'packettrail version and process kind (always 1).', ['version', 'kind'], () => [{ labels: { version, kind }, value: 1 }]);
  registry.gaugeCallback('process_start_time_seconds', 'Start time of the process since the Unix epoch, in seconds.', [], () => [{ labels: {}, value: Math.round(startedAt) }]);
  registry.counterCallback('process_cpu_seconds_total', 'User and system CPU time spent, in seconds.', [], () => {
    const u = process.cpuUsage();
    return [{ labels: {}, value: (u.user + u.system) / 1e6 }];
  });
  registry.gaugeCallback('process_resident_memory_bytes', 'Resident memory size, in bytes.', [], () => [{ labels: {}, value: process.memoryUsage.rss() }]);
  registry.gaugeCallback('nodejs_heap_used_bytes', 'V8 heap in use, in bytes.', [], () => [{ labels: {}, value: process.memoryUsage().heapUsed }]);
}

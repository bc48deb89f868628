import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { interruption } from '../pipeline/output.js';
import type { IngestResult } from '../pipeline/ingest.js';
import type { ProgressReporter } from '../pipeline/run.js';
import type { ServiceClient } from './client.js';
import type { IngestJob, JobMessage } from './ingest-job.js';
import { fromWireError, JOB_HEADER, ROUTES, ServiceUnavailableError } from './protocol.js';
import { fromWire, toWire } from './wire.js';

export interface IngestRequest extends Omit<IngestJob, 'cwd' | 'stdin' | 'deadLetterPath'> {
  /** As the command names it (relative to its working directory, or absolute). */
  deadLetterPath: string;
}

/**
 * `packettrail ingest` through the process that holds the database: the job goes there with the
 * command's working directory (and its standard input when an input is `-`); progress comes back
 * as it is made; the result is what a direct ingest returns, rendered by the same code. Aborting
 * `signal` (the command's first Ctrl-C or SIGTERM, see stopOnSignals) asks the owner to stop the job
 * as a direct ingest stops: what was read is stored and the summary says so, with the signal.
 */
export async function ingestThrough(client: ServiceClient, r: IngestRequest, progress: ProgressReporter | undefined, signal?: AbortSignal): Promise<IngestResult> {
  const usesStdin = r.inputs.includes('-');
  const job: IngestJob = {
    ...r,
    cwd: process.cwd(),
    deadLetterPath: resolve(r.deadLetterPath),
    formatOptions: r.formatOptions.mapping ? { ...r.formatOptions, mapping: resolve(r.formatOptions.mapping) } : r.formatOptions,
    stdin: usesStdin,
  };
  const res = await client.open('POST', ROUTES.ingest, undefined, {
    headers: { [JOB_HEADER]: Buffer.from(toWire(job)).toString('base64url') },
    ...(usesStdin ? { body: process.stdin } : {}),
  });
  let id: string | undefined;
  // The job's id comes first in the answer: a stop before it is sent once it has come.
  const stopJob = () => {
    if (id && signal?.aborted) void client.call('POST', ROUTES.stopJob, { job: id, signal: interruption(signal).signal }).catch(() => {});
  };
  signal?.addEventListener('abort', stopJob, { once: true });
  let result: IngestResult | undefined;
  let failure: Error | undefined;
  try {
    for await (const line of createInterface({ input: res, crlfDelay: Infinity })) {
      if (!line) continue;
      const m = fromWire<JobMessage>(line);
      if ('job' in m) {
        id = m.job;
        stopJob();
      }
      else if ('progress' in m) {
        if (m.progress === 'start') progress?.start(m.total, m.files);
        else if (m.progress === 'update') progress?.update(m.done, m.events, m.source);
        else progress?.stop();
      } else if ('result' in m) result = m.result;
      else if ('error' in m) failure = fromWireError(m.error);
    }
  } catch (e) {
    throw client.unavailable(e);
  } finally {
    signal?.removeEventListener('abort', stopJob);
  }
  if (failure) throw failure;
  if (!result) throw new ServiceUnavailableError(`${client.owner} ended the ingest without a result`);
  // A direct run names the dead-letter file as the command did.
  result.summary.deadLetterPath = r.deadLetterPath;
  return result;
}

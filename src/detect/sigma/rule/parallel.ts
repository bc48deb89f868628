import { availableParallelism } from 'node:os';
import { MessageChannel, receiveMessageOnPort, Worker } from 'node:worker_threads';
import { loadFile, type LoadOptions } from './load.js';
import { revivedRuleSet } from './transfer.js';
import type { RuleSet } from './types.js';

/** Below this many files a helper thread costs more to start than it saves. */
const MIN_FILES = 200;
/** A file never takes this long to parse: past it the helper is taken for dead and its files are parsed here. */
const STALL_MS = 60_000;

/**
 * Parses rule files on this thread and one helper thread at once, for large rule sets (the SigmaHQ
 * corpus: ~3,800 files whose YAML parsing takes seconds before detection can start). Both take the
 * next file from a shared counter, so a slow-starting helper simply takes fewer; per-file results are
 * put back in file order, so the rule set is the one a sequential load gives. Synchronous (callers
 * load before they run): this thread blocks on the shared counter until the helper's last file is in.
 */
export function loadFilesParallel(files: readonly string[], opts: LoadOptions): RuleSet[] {
  const sequential = () => files.map((f) => loadFile(f, opts));
  if (files.length < MIN_FILES || availableParallelism() < 2) return sequential();
  // [0]: next file index; [1]: 1 once the helper has posted its results.
  const control = new Int32Array(new SharedArrayBuffer(8));
  const { port1, port2 } = new MessageChannel();
  let helper: Worker;
  try {
    helper = new Worker(new URL('./load-worker.js', import.meta.url), {
      workerData: { files, placeholders: opts.placeholders ?? {}, control: control.buffer, port: port2 },
      transferList: [port2],
    });
  } catch {
    return sequential();
  }
  helper.on('error', () => undefined);
  helper.unref();
  const out: (RuleSet | undefined)[] = new Array<RuleSet | undefined>(files.length);
  for (let i = Atomics.add(control, 0, 1); i < files.length; i = Atomics.add(control, 0, 1)) out[i] = loadFile(files[i]!, opts);
  const deadline = Date.now() + STALL_MS;
  let msg: { parts: [number, RuleSet][] } | undefined;
  while (!msg && Date.now() < deadline) {
    if (Atomics.load(control, 1) === 0) Atomics.wait(control, 1, 0, 50);
    else msg = receiveMessageOnPort(port1)?.message as typeof msg;
  }
  port1.close();
  void helper.terminate();
  for (const [i, part] of msg?.parts ?? []) out[i] = revivedRuleSet(part);
  // Files the helper took but never delivered (it failed): parse them here.
  for (let i = 0; i < files.length; i++) out[i] ??= loadFile(files[i]!, opts);
  return out as RuleSet[];
}

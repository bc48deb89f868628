import { workerData, type MessagePort } from 'node:worker_threads';
import { loadFile } from './load.js';
import { plainRuleSet } from './transfer.js';
import type { RuleSet } from './types.js';

// Helper thread of ./parallel.ts: parses the files it takes from the shared counter and posts them back.
const { files, placeholders, control, port } = workerData as { files: string[]; placeholders: Record<string, string[]>; control: SharedArrayBuffer; port: MessagePort };
const c = new Int32Array(control);
const parts: [number, RuleSet][] = [];
try {
  for (let i = Atomics.add(c, 0, 1); i < files.length; i = Atomics.add(c, 0, 1)) parts.push([i, plainRuleSet(loadFile(files[i]!, { placeholders }))]);
} finally {
  try {
    port.postMessage({ parts });
  } finally {
    Atomics.store(c, 1, 1);
    Atomics.notify(c, 1);
  }
}

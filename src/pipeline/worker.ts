import { parentPort } from 'node:worker_threads';
import { processChunk, type ChunkTask } from './chunk.js';

// Worker-thread side of the parse pool: parse what the orchestrator sends, send back the result.
parentPort!.on('message', (msg: { id: number; task: ChunkTask }) => {
  try {
    parentPort!.postMessage({ id: msg.id, result: processChunk(msg.task) });
  } catch (e) {
    parentPort!.postMessage({ id: msg.id, error: (e as Error).stack ?? String(e) });
  }
});

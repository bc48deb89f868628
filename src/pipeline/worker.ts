import { parentPort } from 'node:worker_threads';
import { processChunk, type ChunkTask } from './chunk.js';

const encoder = new TextEncoder();

// Worker-thread side of the parse pool: parse what the orchestrator sends, send back the result.
// The output text goes back as UTF-8 bytes in a transferred buffer: the main thread neither copies
// it out of the message nor encodes it again to write it (see ChunkResult.bytes).
parentPort!.on('message', (msg: { id: number; task: ChunkTask }) => {
  try {
    const result = processChunk(msg.task);
    if (result.text) {
      result.bytes = encoder.encode(result.text);
      result.text = '';
    }
    const bytes = result.bytes;
    parentPort!.postMessage({ id: msg.id, result }, bytes ? [bytes.buffer as ArrayBuffer] : []);
  } catch (e) {
    parentPort!.postMessage({ id: msg.id, error: (e as Error).stack ?? String(e) });
  }
});

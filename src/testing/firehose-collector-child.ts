/**
 * A Firehose input on the real collect pipeline (DuckDB in a directory), in a process of its own so
 * that tests can run it with a small heap (`--max-old-space-size`) and see it survive what it is
 * sent. Prints the port; stops and closes the pipeline when its standard input ends, then exits.
 * Arguments: directory, format, access key.
 */
import type { ConfigIssue } from '../collect/intake.js';
import { collectLog } from '../collect/log.js';
import { firehoseInputType } from '../collect/http/input-types.js';
import type { FirehoseInput } from '../collect/http/firehose-input.js';
import { openTestPipeline } from './collect-e2e.js';

const [dir, format, accessKey] = process.argv.slice(2) as [string, string, string];
collectLog.silent = true;
const { pipeline } = await openTestPipeline(dir, 'firehose');
const issues: ConfigIssue[] = [];
const input = firehoseInputType.create({ type: 'firehose', name: 'fh', port: 0, access_key: accessKey, format }, 'inputs[0]', issues) as FirehoseInput;
if (issues.length) throw new Error(JSON.stringify(issues));
await input.start(pipeline);
process.stdout.write(`${input.address!.port}\n`);
process.stdin.on('end', () => {
  void (async () => {
    await input.stop();
    await pipeline.close();
    process.exit(0);
  })();
});
process.stdin.resume();

/**
 * Runs s3rver (an S3 on disk) for tests in its own process: its paged listings encrypt
 * continuation tokens with a cipher newer OpenSSL only has in the legacy provider, so the parent
 * starts this with `--openssl-legacy-provider` instead of changing its own crypto. Prints the port.
 * Arguments: data directory, then bucket names.
 */
import { createRequire } from 'node:module';

interface S3rverLike {
  run(): Promise<{ port: number }>;
  close(): Promise<void>;
}

const [directory, ...buckets] = process.argv.slice(2);
const S3rver = createRequire(import.meta.url)('s3rver') as new (o: Record<string, unknown>) => S3rverLike;
const server = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory, configureBuckets: buckets.map((name) => ({ name })) });
const { port } = await server.run();
process.stdout.write(`${port}\n`);
const stop = () => void server.close().then(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
// The parent going away (a test runner killed) must not leave this behind.
process.stdin.on('end', stop);
process.stdin.resume();

import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { createS3Client } from '../sources/s3.js';

/** An s3rver child process on loopback, with dummy credentials set for the SDK's default chain. */
export class S3TestServer {
  private constructor(
    private readonly child: ChildProcess,
    readonly endpoint: string,
    readonly client: S3Client,
  ) {}

  static async start(directory: string, buckets: string[]): Promise<S3TestServer> {
    useDummyAwsCredentials();
    const script = fileURLToPath(new URL('./s3rver-child.js', import.meta.url));
    const child = spawn(process.execPath, ['--openssl-legacy-provider', script, directory, ...buckets], { stdio: ['pipe', 'pipe', 'inherit'] });
    let out = '';
    child.stdout!.setEncoding('utf8');
    const port = await new Promise<number>((resolve, reject) => {
      child.stdout!.on('data', (d: string) => {
        out += d;
        const m = /^(\d+)\n/.exec(out);
        if (m) resolve(Number(m[1]));
      });
      child.once('exit', (code) => reject(new Error(`s3rver exited (${code}) before listening`)));
    });
    const endpoint = `http://127.0.0.1:${port}`;
    return new S3TestServer(child, endpoint, createS3Client({ endpoint }));
  }

  async put(bucket: string, key: string, body: Buffer | string): Promise<void> {
    await this.client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
  }

  async close(): Promise<void> {
    this.client.destroy();
    if (this.child.exitCode !== null) return;
    const exited = once(this.child, 'exit');
    this.child.kill('SIGTERM');
    await exited;
  }
}

/** s3rver accepts any signature made with these; the SDK finds them in the environment. */
export function useDummyAwsCredentials(): void {
  process.env.AWS_ACCESS_KEY_ID = 'S3RVER';
  process.env.AWS_SECRET_ACCESS_KEY = 'S3RVER';
  process.env.AWS_REGION ??= 'us-east-1';
}

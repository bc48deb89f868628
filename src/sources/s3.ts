import { GetObjectCommand, ListObjectsV2Command, S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import type { Readable } from 'node:stream';
import type { ByteSource } from './byte-source.js';
import { parseS3Url, s3Url, type S3Location, type S3ObjectInfo } from './s3-url.js';
import { KeyFormats } from './s3-key-formats.js';

export { isS3Url, parseS3Url, s3Url, type S3Location, type S3ObjectInfo } from './s3-url.js';

/** How to reach S3: everything optional; credentials and region come from the default AWS chain. */
export interface S3Options {
  region?: string | undefined;
  /** An S3-compatible service (MinIO, LocalStack, s3rver): `http://127.0.0.1:9000`. */
  endpoint?: string | undefined;
  /** Bucket in the path instead of the host name (most S3-compatible services need it). */
  forcePathStyle?: boolean | undefined;
}

/** The SDK warns on every run that its 2027 releases need Node 22; packettrail supports Node 20. */
export function quietAwsSdk(): void {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
}

export function createS3Client(o: S3Options = {}): S3Client {
  quietAwsSdk();
  const config: S3ClientConfig = {
    // Checksums only where S3 requires them: S3-compatible services often do not implement the newer ones.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    maxAttempts: 5,
  };
  if (o.region) config.region = o.region;
  else if (!process.env.AWS_REGION && !process.env.AWS_DEFAULT_REGION) config.region = 'us-east-1';
  if (o.endpoint) config.endpoint = o.endpoint;
  if (o.forcePathStyle !== undefined) config.forcePathStyle = o.forcePathStyle;
  else if (o.endpoint) config.forcePathStyle = true;
  return new S3Client(config);
}

/** Every object under the prefix, in key order (S3 lists keys sorted), page by page. */
export async function* listS3Objects(client: S3Client, loc: S3Location, pageSize?: number): AsyncGenerator<S3ObjectInfo> {
  let token: string | undefined;
  do {
    const page = await client.send(new ListObjectsV2Command({ Bucket: loc.bucket, Prefix: loc.prefix || undefined, ContinuationToken: token, MaxKeys: pageSize }));
    for (const o of page.Contents ?? []) {
      // "Folder" placeholders created by consoles hold no data.
      if (o.Key && !(o.Key.endsWith('/') && !o.Size)) yield { bucket: loc.bucket, key: o.Key, size: o.Size ?? 0 };
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
}

/** The object's bytes as a stream (read as it arrives: a large object is never held in memory). */
export async function openS3Object(client: S3Client, bucket: string, key: string, signal?: AbortSignal): Promise<{ body: Readable; size: number | undefined }> {
  const out = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }), { abortSignal: signal });
  if (!out.Body) throw new Error(`s3://${bucket}/${key}: empty response body`);
  return { body: out.Body as Readable, size: out.ContentLength };
}

/** Errors that will not go away by retrying: the object or bucket is gone, or access is denied. */
export function isPermanentS3Error(e: unknown): boolean {
  const name = (e as { name?: string; Code?: string })?.name ?? '';
  const status = (e as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode;
  return ['NoSuchKey', 'NoSuchBucket', 'AccessDenied', 'InvalidObjectState', 'NotFound'].includes(name) || status === 404 || status === 403;
}

/**
 * `s3://bucket/prefix` arguments of `ingest`/`normalize`/`detect` → one source per object, each
 * opened when it is read. With `--format auto` the key table picks the format first.
 */
export async function listS3Sources(args: readonly string[], o: S3Options): Promise<{ sources: ByteSource[]; missing: { arg: string; reason: string }[] }> {
  const client = createS3Client(o);
  const keyFormats = new KeyFormats();
  const sources: ByteSource[] = [];
  const missing: { arg: string; reason: string }[] = [];
  for (const arg of args) {
    const loc = parseS3Url(arg);
    if (!loc) {
      missing.push({ arg, reason: 'expected s3://<bucket>/<prefix> with a valid bucket name' });
      continue;
    }
    const before = sources.length;
    try {
      for await (const obj of listS3Objects(client, loc)) {
        const format = keyFormats.formatFor(obj.key);
        sources.push({
          name: s3Url(obj.bucket, obj.key), size: obj.size, ...(format !== 'auto' ? { format } : {}),
          open: async () => (await openS3Object(client, obj.bucket, obj.key)).body,
        });
      }
      if (sources.length === before) missing.push({ arg, reason: 'no object under this prefix' });
    } catch (e) {
      missing.push({ arg, reason: `cannot list objects: ${(e as Error).name}: ${(e as Error).message}` });
    }
  }
  return { sources, missing };
}

/**
 * S3 event notifications as they arrive on an SQS queue: plain (S3 → SQS), wrapped in an SNS
 * notification (S3 → SNS → SQS, raw delivery off) and as EventBridge events (`Object Created`).
 */

/** One object a notification announces. */
export interface ObjectNotice {
  bucket: string;
  /** The key as S3 stores it (notification keys are URL-encoded; this is decoded). */
  key: string;
  /** The key exactly as the notification wrote it, tried when the decoded key does not exist. */
  rawKey: string;
  size: number | undefined;
  event: string;
}

export type ParsedMessage =
  | { kind: 'objects'; objects: ObjectNotice[]; ignored: string[] }
  /** A message that announces nothing to read: S3's test event, object removals. Acknowledged. */
  | { kind: 'skip'; reason: string }
  /** Not an S3 notification: dead-lettered with the reason. */
  | { kind: 'invalid'; reason: string };

/** Event names that mean "an object to read" (S3 notifications and EventBridge detail types). */
const CREATED = /^(?:ObjectCreated:|s3:ObjectCreated:|Object Created$|ObjectRestore:Completed|Object Restore Completed$)/;

export function parseNotification(body: string): ParsedMessage {
  let doc: unknown;
  try {
    doc = JSON.parse(body);
  } catch {
    return { kind: 'invalid', reason: 'not an S3 event notification: the message body is not JSON' };
  }
  return parseDocument(doc, 0);
}

function parseDocument(doc: unknown, depth: number): ParsedMessage {
  if (!isObject(doc)) return { kind: 'invalid', reason: 'not an S3 event notification: expected a JSON object' };
  // SNS envelope: the S3 notification is a JSON string in Message.
  if (doc.Type === 'Notification' && typeof doc.Message === 'string' && depth === 0) {
    let inner: unknown;
    try {
      inner = JSON.parse(doc.Message);
    } catch {
      return { kind: 'invalid', reason: 'not an S3 event notification: SNS notification whose Message is not JSON' };
    }
    return parseDocument(inner, depth + 1);
  }
  if (doc.Event === 's3:TestEvent') return { kind: 'skip', reason: 's3:TestEvent' };
  if (Array.isArray(doc.Records)) return parseRecords(doc.Records);
  if (doc.source === 'aws.s3' && isObject(doc.detail)) return parseEventBridge(doc);
  return { kind: 'invalid', reason: 'not an S3 event notification: expected Records (S3 notification), an SNS Notification or an aws.s3 EventBridge event' };
}

function parseRecords(records: unknown[]): ParsedMessage {
  const objects: ObjectNotice[] = [];
  const ignored: string[] = [];
  for (const r of records) {
    if (!isObject(r) || r.eventSource !== 'aws:s3' || !isObject(r.s3)) {
      return { kind: 'invalid', reason: 'not an S3 event notification: a record without eventSource aws:s3 and an s3 section' };
    }
    const event = String(r.eventName ?? '');
    const bucket = isObject(r.s3.bucket) ? r.s3.bucket.name : undefined;
    const object = isObject(r.s3.object) ? r.s3.object : undefined;
    if (typeof bucket !== 'string' || !object || typeof object.key !== 'string') {
      return { kind: 'invalid', reason: 'S3 event notification without s3.bucket.name and s3.object.key' };
    }
    if (!CREATED.test(event)) {
      ignored.push(event || 'unnamed event');
      continue;
    }
    objects.push({ bucket, key: decodeKey(object.key), rawKey: object.key, size: sizeOf(object.size), event });
  }
  if (!objects.length) return { kind: 'skip', reason: `no object created (${ignored.join(', ') || 'no records'})` };
  return { kind: 'objects', objects, ignored };
}

function parseEventBridge(doc: Record<string, unknown>): ParsedMessage {
  const detail = doc.detail as Record<string, unknown>;
  const event = String(doc['detail-type'] ?? '');
  const bucket = isObject(detail.bucket) ? detail.bucket.name : undefined;
  const object = isObject(detail.object) ? detail.object : undefined;
  if (typeof bucket !== 'string' || !object || typeof object.key !== 'string') {
    return { kind: 'invalid', reason: 'EventBridge aws.s3 event without detail.bucket.name and detail.object.key' };
  }
  if (!CREATED.test(event)) return { kind: 'skip', reason: `no object created (${event || 'no detail-type'})` };
  // EventBridge writes keys as stored; the decoded form is only a fallback.
  return { kind: 'objects', objects: [{ bucket, key: object.key, rawKey: decodeKey(object.key), size: sizeOf(object.size), event }], ignored: [] };
}

/** S3 notifications URL-encode keys, with `+` for spaces. */
export function decodeKey(key: string): string {
  try {
    return decodeURIComponent(key.replace(/\+/g, ' '));
  } catch {
    return key;
  }
}

function sizeOf(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : undefined;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Reads the JSON the AWS CLI prints for `cloudtrail describe-trails`, `get-trail`, `get-trail-status`
 * and `get-event-selectors`, in any order and any mix of files, and joins them per trail.
 */

export interface TrailConfig {
  Name?: string;
  TrailARN?: string;
  HomeRegion?: string;
  S3BucketName?: string;
  S3KeyPrefix?: string;
  SnsTopicARN?: string;
  IncludeGlobalServiceEvents?: boolean;
  IsMultiRegionTrail?: boolean;
  LogFileValidationEnabled?: boolean;
  CloudWatchLogsLogGroupArn?: string;
  CloudWatchLogsRoleArn?: string;
  KmsKeyId?: string;
  HasCustomEventSelectors?: boolean;
  HasInsightSelectors?: boolean;
  IsOrganizationTrail?: boolean;
}

export interface TrailStatus {
  IsLogging?: boolean;
  LatestDeliveryError?: string;
  LatestNotificationError?: string;
  LatestDeliveryTime?: string | number;
  StartLoggingTime?: string | number;
  StopLoggingTime?: string | number;
  LatestCloudWatchLogsDeliveryError?: string;
  LatestCloudWatchLogsDeliveryTime?: string | number;
  LatestDigestDeliveryError?: string;
}

export interface EventSelector {
  ReadWriteType?: string;
  IncludeManagementEvents?: boolean;
  DataResources?: { Type?: string; Values?: string[] }[];
  ExcludeManagementEventSources?: string[];
}

export interface AdvancedEventSelector {
  Name?: string;
  FieldSelectors?: { Field?: string; Equals?: string[]; NotEquals?: string[]; StartsWith?: string[]; NotStartsWith?: string[]; EndsWith?: string[]; NotEndsWith?: string[] }[];
}

export interface TrailSelectors {
  EventSelectors?: EventSelector[];
  AdvancedEventSelectors?: AdvancedEventSelector[];
}

export interface TrailInput {
  config: TrailConfig;
  /** Files the trail's parts came from. */
  files: string[];
  status?: TrailStatus;
  selectors?: TrailSelectors;
}

export interface InputProblem {
  file: string;
  message: string;
}

export interface ParsedPosture {
  trails: TrailInput[];
  problems: InputProblem[];
}

type Json = Record<string, unknown>;
const isObj = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v);

/** `Unexpected token … in JSON at position 41` → line and column, for a message that points at the spot. */
export function jsonErrorMessage(text: string, e: Error): string {
  const m = /position (\d+)/.exec(e.message);
  if (!m) return `not valid JSON: ${e.message}`;
  const pos = Number(m[1]);
  const before = text.slice(0, pos);
  const line = before.split('\n').length;
  const column = pos - before.lastIndexOf('\n');
  return `not valid JSON at line ${line}, column ${column} (offset ${pos}): ${e.message.replace(/ in JSON at position \d+.*$/, '')}`;
}

interface Pending {
  status: { file: string; ref: string | undefined; value: TrailStatus }[];
  selectors: { file: string; ref: string | undefined; value: TrailSelectors }[];
}

const KINDS = 'describe-trails ({"trailList":[…]}), get-trail ({"Trail":{…}}), get-trail-status ({"IsLogging":…}) or get-event-selectors ({"TrailARN":…,"EventSelectors":[…]})';

function refOf(o: Json): string | undefined {
  for (const k of ['TrailARN', 'TrailArn', 'Name', 'TrailName', 'trailName', 'name']) if (typeof o[k] === 'string' && o[k]) return o[k] as string;
  return undefined;
}

function addDocument(doc: unknown, file: string, trails: Map<string, TrailInput>, pending: Pending, problems: InputProblem[], where = ''): void {
  if (Array.isArray(doc)) {
    doc.forEach((d, i) => addDocument(d, file, trails, pending, problems, `${where}[${i}]`));
    return;
  }
  if (!isObj(doc)) {
    problems.push({ file, message: `${where || 'the document'} is not an object: expected ${KINDS}` });
    return;
  }
  const configs = Array.isArray(doc.trailList) ? doc.trailList : isObj(doc.Trail) ? [doc.Trail] : undefined;
  if (configs) {
    configs.forEach((t, i) => {
      if (!isObj(t) || (typeof t.Name !== 'string' && typeof t.TrailARN !== 'string')) {
        problems.push({ file, message: `${where}trailList[${i}] has no Name or TrailARN` });
        return;
      }
      const key = (t.TrailARN as string | undefined) ?? (t.Name as string);
      // describe-trails lists a multi-region trail once per region (shadow trails): one trail, one entry.
      const existing = trails.get(key);
      if (existing) existing.files.includes(file) || existing.files.push(file);
      else trails.set(key, { config: t as TrailConfig, files: [file] });
    });
    return;
  }
  if ('EventSelectors' in doc || 'AdvancedEventSelectors' in doc) {
    pending.selectors.push({ file, ref: refOf(doc), value: doc as TrailSelectors });
    return;
  }
  if ('IsLogging' in doc) {
    pending.status.push({ file, ref: refOf(doc), value: doc as TrailStatus });
    return;
  }
  problems.push({ file, message: `${where || 'the document'} is none of ${KINDS}; keys: ${Object.keys(doc).slice(0, 8).join(', ') || 'none'}` });
}

/** The trail an output belongs to: its TrailARN/Name, else a trail named in the file name, else the only trail. */
function match(ref: string | undefined, file: string, trails: Map<string, TrailInput>): TrailInput | string {
  const all = [...trails.values()];
  if (ref) {
    const t = trails.get(ref) ?? all.find((x) => x.config.Name === ref || x.config.TrailARN?.endsWith(`:trail/${ref}`));
    return t ?? `names trail '${ref}', which no describe-trails output lists`;
  }
  const base = file.replace(/^.*[\\/]/, '');
  const named = all.filter((x) => x.config.Name && base.includes(x.config.Name)).sort((a, b) => b.config.Name!.length - a.config.Name!.length);
  if (named.length) return named[0]!;
  if (all.length === 1) return all[0]!;
  return all.length
    ? 'does not say which trail it describes (get-trail-status prints no name): add "Name" or "TrailARN" to it, or put the trail name in the file name'
    : 'has no trail to belong to: pass the describe-trails output too';
}

/** Parses every input (file name, text) and joins statuses and selectors to their trails. */
export function parsePostureInputs(inputs: readonly { file: string; text: string }[]): ParsedPosture {
  const trails = new Map<string, TrailInput>();
  const pending: Pending = { status: [], selectors: [] };
  const problems: InputProblem[] = [];
  for (const { file, text } of inputs) {
    let doc: unknown;
    try {
      doc = JSON.parse(text.replace(/^\uFEFF/, ''));
    } catch (e) {
      problems.push({ file, message: jsonErrorMessage(text, e as Error) });
      continue;
    }
    addDocument(doc, file, trails, pending, problems);
  }
  for (const s of pending.status) {
    const t = match(s.ref, s.file, trails);
    if (typeof t === 'string') problems.push({ file: s.file, message: `get-trail-status output ${t}` });
    else {
      t.status = s.value;
      if (!t.files.includes(s.file)) t.files.push(s.file);
    }
  }
  for (const s of pending.selectors) {
    const t = match(s.ref, s.file, trails);
    if (typeof t === 'string') problems.push({ file: s.file, message: `get-event-selectors output ${t}` });
    else {
      t.selectors = s.value;
      if (!t.files.includes(s.file)) t.files.push(s.file);
    }
  }
  return { trails: [...trails.values()], problems };
}

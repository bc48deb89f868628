import type { EcsEvent, EcsObject } from '../../ecs/event.js';
import { setPath } from '../../ecs/event.js';
import type { FieldErrors } from '../shared/field-errors.js';
import type { CompiledTable } from './tables.js';

/**
 * Which side is which. Defender's Local… and Remote… columns are always the device's side and its peer
 * (MS-DNE); tables.ts maps them as an outbound connection (Local = source). An inbound connection
 * (`InboundConnectionAccepted`, `InboundConnectionAttempt`, a firewall's inbound block, or an
 * `AdditionalFields.direction` of `In` on inspected traffic) was started by the peer: the remote side
 * is the source (as Sentinel's ASIM parser reads it).
 */
export function inboundSides(compiled: CompiledTable, out: EcsEvent): void {
  // Only tables that map Local/Remote as source/destination (logon tables already map Remote as the source).
  if (compiled.columns.get('LocalIP')?.path.join('.') !== 'source.ip') return;
  const { source, destination } = out;
  if (source === undefined && destination === undefined) return;
  if (destination === undefined) delete out.source;
  else out.source = destination;
  if (source === undefined) delete out.destination;
  else out.destination = source;
}

/** `AdditionalFields.direction` (`In`/`Out`, Zeek-style) as `network.direction`. */
export function additionalDirection(af: EcsObject | undefined): 'inbound' | 'outbound' | undefined {
  const d = typeof af?.direction === 'string' ? af.direction.toLowerCase() : undefined;
  return d === 'in' || d === 'inbound' ? 'inbound' : d === 'out' || d === 'outbound' ? 'outbound' : undefined;
}

/**
 * AlertEvidence rows of a process describe that process: its image columns (FileName, FolderPath,
 * hashes) also fill `process.*`, as ProcessCommandLine does.
 */
const PROCESS_ENTITY: readonly (readonly [column: string, path: string])[] = [
  ['FileName', 'process.name'],
  ['FolderPath', 'process.executable'],
  ['SHA1', 'process.hash.sha1'],
  ['SHA256', 'process.hash.sha256'],
];
const PROCESS_ENTITY_PATHS = PROCESS_ENTITY.map(([column, path]) => [column, path.split('.')] as const);

/**
 * AlertEvidence: the entity's own details. `AdditionalFields` is an undocumented JSON string; for a
 * Process entity it carries the pid (`{"$id":"1","ProcessId":"1960"}`, a string). `EvidenceDirection`
 * says whether a network entity (RemoteIP) was the source or the destination.
 */
export function alertEvidence(row: Record<string, unknown>, af: EcsObject | undefined, out: EcsEvent, errors: FieldErrors): void {
  const entity = typeof row.EntityType === 'string' ? row.EntityType.toLowerCase() : undefined;
  if (entity === 'process') {
    const process = (out.process ??= {}) as EcsObject;
    for (const [column, path] of PROCESS_ENTITY_PATHS) {
      const v = row[column];
      if (typeof v === 'string' && v !== '' && v !== '-') setPath(out, path, path[1] === 'hash' ? v.toLowerCase() : v);
    }
    const pid = af?.ProcessId;
    if (pid !== undefined && pid !== null && pid !== '' && process.pid === undefined) {
      const n = typeof pid === 'number' ? pid : typeof pid === 'string' && /^\d{1,10}$/.test(pid) ? Number(pid) : NaN;
      if (Number.isSafeInteger(n) && n > 0) process.pid = n;
      else errors.drop('AdditionalFields.ProcessId', `AdditionalFields.ProcessId ${JSON.stringify(pid).slice(0, 60)} is not a process id`);
    }
    if (!Object.keys(process).length) delete out.process;
  }
  if (row.EvidenceDirection === 'Source' && out.destination !== undefined && out.source === undefined) {
    out.source = out.destination;
    delete out.destination;
  }
}

/**
 * packettrail's library API: the curated list of what is public. Anything not exported here is
 * internal and may change without notice.
 */
export type { EcsEvent, EcsObject, EcsValue } from '../ecs/event.js';
export { ECS_VERSION, getPath, setPath } from '../ecs/event.js';
export { canonicalIp, ipList, isPrivateIp } from '../ecs/ip.js';
export { splitDomain, normalizeHost } from '../ecs/domain.js';
export { parseUserAgent, parseEncodedUserAgent } from '../ecs/user-agent.js';
export { percentDecode, parseUrl } from '../ecs/url.js';
export { normalizeIdentity, identityToEcs, type Identity } from '../ecs/identity.js';
export { eventIdFor } from '../ecs/event-id.js';

export type { Format, RecordParser, ParseSink, ParserContext, DetectSample, FieldSpec } from '../formats/format.js';
export { listFormats, getFormat, detectFormat } from '../formats/registry.js';

export { runPipeline, type RunOptions, type EventSink, type ProgressReporter } from '../pipeline/run.js';
export type { RunSummary, SourceStats } from '../pipeline/stats.js';
export { DeadLetterWriter } from '../pipeline/dead-letter.js';
export { NdjsonSink } from '../pipeline/sinks/ndjson.js';
export { StoreSink } from '../pipeline/sinks/store.js';

export type { EventStore, QueryResult } from '../store/store.js';
export type { SqlDialect } from '../store/dialect.js';
export type { SqlExpressions, SqlParams } from '../store/expressions.js';
export { DuckDbStore } from '../store/duckdb/duckdb-store.js';
export { allColumns, columnsFor, columnName } from '../store/schema.js';

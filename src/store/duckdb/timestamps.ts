import { DuckDBTypeId, JsonDuckDBValueConverter, type DuckDBValueConverter, type Json } from '@duckdb/node-api';

const TIMESTAMP_TYPES: ReadonlySet<DuckDBTypeId> = new Set([
  DuckDBTypeId.TIMESTAMP, DuckDBTypeId.TIMESTAMP_S, DuckDBTypeId.TIMESTAMP_MS, DuckDBTypeId.TIMESTAMP_NS, DuckDBTypeId.TIMESTAMP_TZ,
]);

/** DuckDB's text of a timestamp (`2026-11-20 08:00:16.363`, `… 08:00:16.363+00` with a zone, which it gives in UTC). */
const DUCKDB_TIMESTAMP = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2}(?:\.\d+)?)(?:\+00)?$/;

/** `2026-11-20 08:00:16.363` → `2026-11-20T08:00:16.363Z`; infinities and years BC stay as DuckDB writes them. */
export function rfc3339(duckdbText: string): string {
  const m = DUCKDB_TIMESTAMP.exec(duckdbText);
  return m ? `${m[1]}T${m[2]}Z` : duckdbText;
}

/**
 * JSON conversion with timestamps as RFC 3339 UTC, at any depth (a list of timestamps, a struct
 * holding one): the recursion goes through the converter it is given.
 */
export const rfc3339Converter: DuckDBValueConverter<Json> = (value, type, converter) => {
  if (value !== null && TIMESTAMP_TYPES.has(type.typeId)) return rfc3339(String(value));
  return JsonDuckDBValueConverter(value, type, converter);
};

/**
 * How a json-or-lines source is framed: one pretty-printed JSON document, or one record per line.
 * Decided once, on the source's first chunk.
 */

/** Lines after the first that looksLikeDocument reads. */
const FRAMING_SAMPLE_LINES = 20;

/**
 * Whether a json-or-lines source is one pretty-printed document rather than one record per line:
 * its first line is not a whole JSON value, and most of the lines after it are pieces of a document
 * (brackets, `"key": value,`, array elements) rather than records. The lines after decide because a
 * first line alone cannot tell the start of a document (`{`, `[`, `{"records": [`) from a damaged
 * first record (a NUL byte, a truncated write): judged on it alone, one bad first record made a whole
 * file of good records one invalid document. A line that is neither a whole JSON value nor a piece of
 * one (a syslog or LEEF record in a file that mixes them with JSON lines) is a record too: counting
 * only JSON lines as records made such a file one invalid document (found by fuzzing).
 */
export function looksLikeDocument(text: string): boolean {
  const start = text.search(/\S/);
  if (start < 0 || (text[start] !== '{' && text[start] !== '[')) return false;
  const nl = text.indexOf('\n', start);
  // A single line is one record either way: no need to parse it here as well.
  if (nl < 0) return false;
  if (isJsonValue(text.slice(start, nl))) return false;
  let seen = 0;
  let records = 0;
  for (let from = nl + 1; seen < FRAMING_SAMPLE_LINES && from < text.length; ) {
    const end = text.indexOf('\n', from);
    const line = text.slice(from, end < 0 ? text.length : end).trim();
    if (line) {
      seen++;
      if (((line[0] === '{' || line[0] === '[') && isJsonValue(line)) || !isDocumentPiece(line)) records++;
    }
    if (end < 0) break;
    from = end + 1;
  }
  return records * 2 <= seen;
}

/** `"key": ` at the start of a line of a pretty-printed object. */
const MEMBER_KEY = /^"(?:[^"\\]|\\.)*"\s*:\s*/;
/** Lines of brackets alone: `{`, `}`, `],`, `}]`. */
const BRACKETS = /^[[\]{}]+$/;

/**
 * A line as JSON.stringify(value, null, n) (or any pretty-printer) writes them: brackets, a member
 * (`"key": value`, or `"key": {` opening a nested one) or an array element, each with an optional
 * trailing comma.
 */
function isDocumentPiece(line: string): boolean {
  const body = line.endsWith(',') ? line.slice(0, -1).trimEnd() : line;
  if (BRACKETS.test(body)) return true;
  const key = MEMBER_KEY.exec(body);
  const value = key ? body.slice(key[0].length) : body;
  return value === '{' || value === '[' || isJsonValue(value);
}

function isJsonValue(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

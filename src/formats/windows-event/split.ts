/**
 * Splits text holding several concatenated JSON values (`{…}{…}`, pretty-printed or not) into the
 * text of each, tracking strings so braces inside them do not count. Non-whitespace outside any
 * value is returned as junk for the caller to reject.
 */
export function splitJsonValues(text: string): { values: string[]; junk: string[] } {
  const values: string[] = [];
  const junk: string[] = [];
  let depth = 0;
  let start = -1;
  let inString = false;
  let junkStart = -1;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92 /* \ */) i++;
      else if (c === 34 /* " */) inString = false;
      continue;
    }
    if (c === 123 /* { */ || c === 91 /* [ */) {
      if (depth === 0) {
        if (junkStart >= 0) junk.push(text.slice(junkStart, i).trim());
        junkStart = -1;
        start = i;
      }
      depth++;
    } else if (c === 125 /* } */ || c === 93 /* ] */) {
      depth--;
      if (depth === 0) values.push(text.slice(start, i + 1));
      if (depth < 0) depth = 0;
    } else if (c === 34 && depth > 0) inString = true;
    else if (depth === 0 && c > 32 && junkStart < 0) junkStart = i;
  }
  if (depth > 0) values.push(text.slice(start));
  if (junkStart >= 0) junk.push(text.slice(junkStart).trim());
  return { values, junk: junk.filter(Boolean) };
}

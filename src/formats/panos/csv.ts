/**
 * Splits one PAN-OS CSV record. Hand-written rather than a CSV library: records are single lines,
 * only double quotes with doubled-quote escaping occur, and this runs a million times a minute, so a
 * split that reuses its output array and takes an indexOf fast path when there are no quotes beats
 * general-purpose parsers (which also want streams or whole documents).
 *
 * Writes the fields of `line` from `start` into `out` and returns how many there are. A quote opens a
 * quoted value only at the start of a field; elsewhere it is literal text (PAN-OS does not quote
 * every value that contains one). Text after a closing quote up to the next comma is kept.
 */
export function splitCsv(line: string, start: number, out: string[]): number {
  let n = 0;
  if (line.indexOf('"', start) < 0) {
    let from = start;
    for (;;) {
      const comma = line.indexOf(',', from);
      if (comma < 0) {
        out[n++] = line.slice(from);
        return n;
      }
      out[n++] = line.slice(from, comma);
      from = comma + 1;
    }
  }
  const len = line.length;
  let i = start;
  for (;;) {
    if (i < len && line.charCodeAt(i) === 34 /* " */) {
      let value = '';
      let from = i + 1;
      let j = from;
      for (;;) {
        const q = line.indexOf('"', j);
        if (q < 0) {
          // Unterminated quote: the rest of the line is the value.
          value += line.slice(from);
          j = len;
          break;
        }
        if (line.charCodeAt(q + 1) === 34) {
          value += line.slice(from, q + 1);
          from = j = q + 2;
          continue;
        }
        value += line.slice(from, q);
        j = q + 1;
        break;
      }
      const comma = j < len ? line.indexOf(',', j) : -1;
      if (comma < 0) {
        out[n++] = j < len ? value + line.slice(j) : value;
        return n;
      }
      out[n++] = comma > j ? value + line.slice(j, comma) : value;
      i = comma + 1;
    } else {
      const comma = line.indexOf(',', i);
      if (comma < 0) {
        out[n++] = line.slice(i);
        return n;
      }
      out[n++] = line.slice(i, comma);
      i = comma + 1;
    }
  }
}

/**
 * Splits a quote-free record straight into a canonical record: the value at position `i` goes to
 * `rec[ids[i]]` when that id is not -1 and the value is not empty. Positions past `ids` are counted,
 * not copied. Returns the field count, or -1 when the record has a quote (use `splitCsv` then).
 */
export function splitInto(line: string, start: number, ids: Int16Array, rec: (string | undefined)[]): number {
  if (line.indexOf('"', start) >= 0) return -1;
  const known = ids.length;
  let n = 0;
  let from = start;
  for (;;) {
    const comma = line.indexOf(',', from);
    const end = comma < 0 ? line.length : comma;
    if (n < known && end > from) {
      const id = ids[n]!;
      if (id >= 0) rec[id] = line.slice(from, end);
    }
    n++;
    if (comma < 0) return n;
    from = comma + 1;
  }
}

/** The Type (4th) field of a record, read without splitting it, or undefined when it is not plain. */
export function typeField(line: string, start: number): string | undefined {
  let from = start;
  for (let k = 0; k < 3; k++) {
    const comma = line.indexOf(',', from);
    if (comma < 0) return undefined;
    from = comma + 1;
  }
  const end = line.indexOf(',', from);
  const type = line.slice(from, end < 0 ? line.length : end);
  return type.indexOf('"') >= 0 ? undefined : type;
}

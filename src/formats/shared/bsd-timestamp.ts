/**
 * The BSD syslog timestamp (RFC 3164 `Mmm dd hh:mm:ss`), scanned by hand because it sits at the
 * front of every syslog line: a regex per line costs more than the parse that follows. Shared by
 * the syslog input's header parser and the PAN-OS envelope finder.
 */
const MONTHS = 'JanFebMarAprMayJunJulAugSepOctNovDec';

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/**
 * `Mmm dd hh:mm:ss` (day space-padded or not) at `i`: the offset just after it, or -1. Whatever some
 * relays glue to the seconds (`.123` fractions, `+01:00`) stays part of the timestamp.
 */
export function bsdTimestampEnd(line: string, i: number): number {
  const month = MONTHS.indexOf(line.slice(i, i + 3));
  if (month < 0 || month % 3 !== 0 || line.charCodeAt(i + 3) !== 32) return -1;
  let j = i + 4;
  if (line.charCodeAt(j) === 32) j++;
  if (!isDigit(line.charCodeAt(j))) return -1;
  j++;
  if (isDigit(line.charCodeAt(j))) j++;
  if (line.charCodeAt(j) !== 32) return -1;
  j++;
  if (line.charCodeAt(j + 2) !== 58 || line.charCodeAt(j + 5) !== 58) return -1;
  j += 8;
  while (j < line.length && line.charCodeAt(j) !== 32) j++;
  return j;
}

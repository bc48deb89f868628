/**
 * JSON numbers past 2^53 lose digits in `JSON.parse` (PAN-OS sequence numbers are 64-bit:
 * 7334523123456789012 would read as …9000). Node 20's `JSON.parse` cannot hand a reviver the source
 * text, so integer literals too long to be exact are quoted before parsing and read as strings.
 */

/** Digits beyond which an integer may not be exact as a double (2^53 has 16 digits). */
export const EXACT_INTEGER_DIGITS = 15;

const LONG_DIGITS = new RegExp(`\\d{${EXACT_INTEGER_DIGITS + 1}}`);

/**
 * `text` with every integer literal of more than EXACT_INTEGER_DIGITS digits outside strings
 * written as a JSON string (`{"n":12345678901234567890}` → `{"n":"12345678901234567890"}`).
 * Numbers with a fraction or exponent are left alone, and so is text that is not JSON (the parser
 * reports it as before). Text without such a run of digits is returned as it is.
 */
export function quoteLongIntegers(text: string): string {
  if (!LONG_DIGITS.test(text)) return text;
  let out = '';
  let from = 0;
  const n = text.length;
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 34 /* " */) {
      // Skip the string, escapes included.
      i++;
      while (i < n) {
        const d = text.charCodeAt(i);
        if (d === 92 /* \ */) i += 2;
        else if (d === 34) break;
        else i++;
      }
      i++;
      continue;
    }
    if ((c >= 48 && c <= 57) || c === 45 /* - */) {
      let j = c === 45 ? i + 1 : i;
      const digits = j;
      while (j < n && text.charCodeAt(j) >= 48 && text.charCodeAt(j) <= 57) j++;
      const next = j < n ? text.charCodeAt(j) : 0;
      const integer = next !== 46 /* . */ && next !== 101 /* e */ && next !== 69 /* E */;
      if (integer && j - digits > EXACT_INTEGER_DIGITS) {
        out += `${text.slice(from, i)}"${text.slice(i, j)}"`;
        from = j;
      }
      // The rest of a number with a fraction or exponent is digits, signs and letters: no quote.
      i = j;
      continue;
    }
    i++;
  }
  return from === 0 ? text : out + text.slice(from);
}

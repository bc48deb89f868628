/**
 * The Windows XML rendering of events (`<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'>`,
 * as `wevtutil qe /f:xml`, `Get-WinEvent … ToXml()`, Event Viewer's "Save as XML" and forwarders write
 * it), read by a small hand-written parser rather than a general XML library: the shape is fixed
 * (elements, attributes, text; no mixed content worth keeping), and refusing what a general parser
 * would have to support is the point. No DTD (`<!DOCTYPE`, `<!ENTITY`) is accepted, so there is no
 * entity expansion and no external entity; only the five predefined entities and character
 * references are decoded; nesting is bounded by MAX_XML_DEPTH. Linear in the text.
 *
 * Events are cut from the text one by one (`<Event …>` … `</Event>`), so one malformed event is
 * rejected alone; an `<Events>` wrapper, XML declarations and comments between events are allowed.
 */

/** Element nesting accepted inside one event (Windows events nest 4–6 deep). */
export const MAX_XML_DEPTH = 32;

export class XmlError extends Error {}

/** An element as the JSON renderings of evtx tools shape it: attributes under `#attributes`, text under `#text`. */
export type XmlValue = string | null | XmlObject;
export interface XmlObject {
  [name: string]: XmlValue | XmlValue[] | Record<string, string>;
}

export interface XmlEventText {
  /** The event's own text, `<Event` to `</Event>`: its raw record. */
  raw: string;
}

const EVENT_OPEN = /<Event(?=[\s>/])/g;
const EVENT_CLOSE = '</Event>';
/** What may stand between events: declarations, comments, an `<Events>` wrapper, whitespace. */
const BETWEEN = /^(?:\s+|<\?xml[^>]*\?>|<!--[\s\S]*?-->|<\/?Events(?:\s[^>]*)?>)*$/;

/**
 * Cuts `text` into the events it holds. `junk` lists text between events that is none of the
 * allowed wrappers (for the caller to reject); an event without its `</Event>` is junk too.
 */
export function splitXmlEvents(text: string): { events: string[]; junk: string[] } {
  const events: string[] = [];
  const junk: string[] = [];
  let pos = 0;
  EVENT_OPEN.lastIndex = 0;
  for (let m = EVENT_OPEN.exec(text); m; m = EVENT_OPEN.exec(text)) {
    const start = m.index;
    const between = text.slice(pos, start);
    if (!BETWEEN.test(between)) junk.push(between.trim());
    const close = text.indexOf(EVENT_CLOSE, start);
    // A self-closed <Event/> holds nothing; an unclosed one is cut off.
    if (close < 0) {
      junk.push(text.slice(start));
      pos = text.length;
      break;
    }
    pos = close + EVENT_CLOSE.length;
    events.push(text.slice(start, pos));
    EVENT_OPEN.lastIndex = pos;
  }
  const rest = text.slice(pos);
  if (rest && !BETWEEN.test(rest)) junk.push(rest.trim());
  return { events, junk: junk.filter(Boolean) };
}

interface Frame {
  name: string;
  attrs: Record<string, string> | undefined;
  children: [string, XmlValue][];
  text: string;
}

/** Parses one event's text into `{Event: {...}}` in the evtx JSON shape. Throws XmlError saying what was expected. */
export function parseXmlEvent(text: string): XmlObject {
  const stack: Frame[] = [];
  let root: XmlValue | undefined;
  let i = 0;
  const n = text.length;
  while (i < n) {
    const lt = text.indexOf('<', i);
    const end = lt < 0 ? n : lt;
    if (end > i) {
      const chunk = text.slice(i, end);
      if (stack.length) stack[stack.length - 1]!.text += decode(chunk);
      else if (chunk.trim()) throw new XmlError(`expected an element, found text '${clipText(chunk)}'`);
    }
    if (lt < 0) break;
    const next = text.charCodeAt(lt + 1);
    if (next === 33 /* ! */) {
      if (text.startsWith('<!--', lt)) {
        const close = text.indexOf('-->', lt + 4);
        if (close < 0) throw new XmlError('comment without its closing -->');
        i = close + 3;
      } else if (text.startsWith('<![CDATA[', lt)) {
        const close = text.indexOf(']]>', lt + 9);
        if (close < 0) throw new XmlError('CDATA section without its closing ]]>');
        if (!stack.length) throw new XmlError('CDATA outside an element');
        stack[stack.length - 1]!.text += text.slice(lt + 9, close);
        i = close + 3;
      } else throw new XmlError('document type declarations (<!DOCTYPE, <!ENTITY) are not accepted');
    } else if (next === 63 /* ? */) {
      const close = text.indexOf('?>', lt + 2);
      if (close < 0) throw new XmlError('processing instruction without its closing ?>');
      i = close + 2;
    } else if (next === 47 /* / */) {
      const close = text.indexOf('>', lt + 2);
      if (close < 0) throw new XmlError('end tag without its closing >');
      const name = text.slice(lt + 2, close).trim();
      const top = stack.pop();
      if (!top || localName(name) !== top.name) throw new XmlError(`expected </${top?.name ?? '(nothing open)'}>, found </${clipText(name)}>`);
      const value = finish(top);
      if (stack.length) stack[stack.length - 1]!.children.push([top.name, value]);
      else root = { [top.name]: value };
      i = close + 1;
    } else {
      const tag = readTag(text, lt);
      const frame: Frame = { name: tag.name, attrs: tag.attrs, children: [], text: '' };
      if (tag.selfClosing) {
        const value = finish(frame);
        if (stack.length) stack[stack.length - 1]!.children.push([frame.name, value]);
        else root = { [frame.name]: value };
      } else {
        if (stack.length >= MAX_XML_DEPTH) throw new XmlError(`elements nested deeper than ${MAX_XML_DEPTH} levels`);
        stack.push(frame);
      }
      i = tag.end;
    }
    if (root !== undefined && i < n && text.slice(i).trim()) throw new XmlError(`expected the end of the event, found '${clipText(text.slice(i).trim())}'`);
  }
  if (stack.length) throw new XmlError(`<${stack[stack.length - 1]!.name}> is not closed`);
  if (root === undefined || root === null || typeof root === 'string') throw new XmlError('expected an <Event> element');
  return root;
}

const NAME = /^[A-Za-z_][\w.:-]*$/;

/** `<name a='1' b="2">` or `/>` from `start` (at the `<`). */
function readTag(text: string, start: number): { name: string; attrs: Record<string, string> | undefined; selfClosing: boolean; end: number } {
  let i = start + 1;
  const n = text.length;
  while (i < n && !isSpace(text.charCodeAt(i)) && text[i] !== '>' && text[i] !== '/') i++;
  const raw = text.slice(start + 1, i);
  if (!NAME.test(raw)) throw new XmlError(`expected an element name after '<', found '${clipText(raw)}'`);
  let attrs: Record<string, string> | undefined;
  for (;;) {
    while (i < n && isSpace(text.charCodeAt(i))) i++;
    if (i >= n) throw new XmlError(`<${raw}> is cut off`);
    if (text[i] === '>') return { name: localName(raw), attrs, selfClosing: false, end: i + 1 };
    if (text[i] === '/') {
      if (text[i + 1] !== '>') throw new XmlError(`expected '/>' in <${raw}>`);
      return { name: localName(raw), attrs, selfClosing: true, end: i + 2 };
    }
    const eq = text.indexOf('=', i);
    if (eq < 0) throw new XmlError(`expected name='value' attributes in <${raw}>`);
    const attrName = text.slice(i, eq).trim();
    if (!NAME.test(attrName)) throw new XmlError(`expected an attribute name in <${raw}>, found '${clipText(attrName)}'`);
    let q = eq + 1;
    while (q < n && isSpace(text.charCodeAt(q))) q++;
    const quote = text[q];
    if (quote !== '"' && quote !== "'") throw new XmlError(`attribute ${attrName} of <${raw}> is not quoted`);
    const close = text.indexOf(quote, q + 1);
    if (close < 0) throw new XmlError(`attribute ${attrName} of <${raw}> is not closed`);
    const value = text.slice(q + 1, close);
    if (value.indexOf('<') >= 0) throw new XmlError(`attribute ${attrName} of <${raw}> holds '<'`);
    // Namespace declarations say nothing about the event.
    if (attrName !== 'xmlns' && !attrName.startsWith('xmlns:')) (attrs ??= {})[localName(attrName)] = decode(value);
    i = close + 1;
  }
}

/** An element's value: its text alone when it has neither attributes nor children, else an object. */
function finish(f: Frame): XmlValue {
  if (!f.attrs && !f.children.length) return f.text === '' ? null : f.text;
  const o: XmlObject = {};
  if (f.attrs) o['#attributes'] = f.attrs;
  for (const [name, value] of f.children) {
    const had = o[name];
    if (had === undefined) o[name] = value;
    else if (Array.isArray(had)) (had as XmlValue[]).push(value);
    else o[name] = [had as XmlValue, value];
  }
  // Whitespace between child elements is layout, not content.
  if (f.text !== '' && !(f.children.length && f.text.trim() === '')) o['#text'] = f.text;
  return o;
}

function localName(name: string): string {
  const colon = name.indexOf(':');
  return colon < 0 ? name : name.slice(colon + 1);
}

function isSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13;
}

const PREDEFINED: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };
/** `&#x10FFFF;` is the longest reference read. */
const MAX_REFERENCE = 10;

/** The five predefined entities and character references; anything else is refused (no DTD defines more). */
function decode(s: string): string {
  let amp = s.indexOf('&');
  if (amp < 0) return s;
  let out = '';
  let from = 0;
  while (amp >= 0) {
    const semi = s.indexOf(';', amp + 1);
    if (semi < 0 || semi - amp > MAX_REFERENCE) throw new XmlError(`'&' that starts no entity in '${clipText(s.slice(amp))}'`);
    const ref = s.slice(amp + 1, semi);
    out += s.slice(from, amp) + reference(ref);
    from = semi + 1;
    amp = s.indexOf('&', from);
  }
  return out + s.slice(from);
}

function reference(ref: string): string {
  if (ref[0] !== '#') {
    const v = PREDEFINED[ref];
    if (v === undefined) throw new XmlError(`unknown entity &${clipText(ref)}; (only &lt; &gt; &amp; &quot; &apos; and character references are read)`);
    return v;
  }
  const hex = ref[1] === 'x';
  const digits = ref.slice(hex ? 2 : 1);
  const code = (hex ? /^[0-9A-Fa-f]+$/ : /^[0-9]+$/).test(digits) ? parseInt(digits, hex ? 16 : 10) : NaN;
  if (!(code >= 1 && code <= 0x10ffff) || (code >= 0xd800 && code <= 0xdfff)) throw new XmlError(`character reference &${ref}; is not a character`);
  return String.fromCodePoint(code);
}

function clipText(s: string): string {
  return s.length > 60 ? `${s.slice(0, 60)}…` : s;
}

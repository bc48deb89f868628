import { sharedGeo } from '../../../enrich/geo/index.js';
import type { Cursor } from '../cursor.js';
import type { Token } from '../lexer.js';
import { flag, onlyDefault, readOptions } from './options.js';
import { commandModule } from './registry.js';
import { numbered } from './order.js';
import { keep, q, ROW } from './stage.js';
import { allBut } from '../portable.js';
import type { Ctx, Scope } from '../context.js';

interface Iplocation {
  prefix: string;
  field: Token;
}

/** Distinct addresses one iplocation locates at most: past it the query is refused, naming the cap. */
export const MAX_IPLOCATION_ADDRESSES = 100_000;

/**
 * MaxMind's English country names (what Splunk's bundled GeoLite2 shows) where they differ from the
 * ICU names for the code.
 */
const COUNTRY_NAMES: Record<string, string> = {
  HK: 'Hong Kong', MO: 'Macao', PS: 'Palestine', MM: 'Myanmar', CI: "Ivory Coast", CD: 'Congo', CG: 'Republic of the Congo',
  KR: 'South Korea', KP: 'North Korea', RU: 'Russia', IR: 'Iran', SY: 'Syria', VN: 'Vietnam', LA: 'Laos', BO: 'Bolivia',
  VE: 'Venezuela', TZ: 'Tanzania', MD: 'Moldova', FM: 'Federated States of Micronesia', TW: 'Taiwan',
};
const names = new Intl.DisplayNames(['en'], { type: 'region' });

/** The English name of an ISO country code, as Splunk's iplocation writes it. */
export function countryName(code: string): string {
  return COUNTRY_NAMES[code] ?? names.of(code) ?? code;
}

/**
 * `iplocation [prefix=<str>] <ip-field>`: the country of each address, from packettrail's bundled
 * offline database (no network access), as the field `<prefix>Country`. That database has countries
 * only: City, Region, lat and lon are not made, so a search using them stops at an unknown field
 * rather than answering without them. Private and reserved addresses have no country, as in Splunk.
 */
export const iplocation = commandModule<Iplocation>({
  mode: 'search',
  parse(c: Cursor) {
    const before = readOptions(c, 'iplocation', ['prefix', 'allfields', 'lang']);
    const field = c.expectName('the field holding the address');
    const after = readOptions(c, 'iplocation', ['prefix', 'allfields', 'lang']);
    const options = new Map([...before, ...after]);
    if (flag(options, 'allfields', false, c.query)) throw c.error('allfields=true is not supported: the bundled database has countries only (no continent, metro code or time zone)', options.get('allfields'));
    onlyDefault(options, 'lang', (v) => /^en$/i.test(v), 'country names are in English only', c.query);
    return { prefix: options.get('prefix')?.text ?? '', field };
  },
  compile(ctx, scope, l, from) {
    const ref = ctx.resolve(scope, l.field);
    if (ref.list) throw ctx.error(`iplocation on '${l.field.text}', which holds several values, is not supported`, l.field);
    const ip = ctx.fn.text(ref.sql);
    const rows = ctx.needData(`iplocation ${l.field.pos}`, `SELECT DISTINCT ${ip} FROM ${from} WHERE ${ref.sql} IS NOT NULL LIMIT ${MAX_IPLOCATION_ADDRESSES + 1}`);
    if (rows.length > MAX_IPLOCATION_ADDRESSES) throw ctx.error(`iplocation would locate more than ${MAX_IPLOCATION_ADDRESSES.toLocaleString('en-US')} distinct addresses: narrow the search first (stats … by ${l.field.text})`, l.field);
    const geo = sharedGeo();
    const countries: Record<string, string> = {};
    for (const [value] of rows) {
      const code = geo.lookup(String(value)).country;
      if (code) countries[String(value)] = countryName(code);
    }
    ctx.warn('iplocation: countries come from packettrail\'s bundled database (which may place an address differently from MaxMind\'s); City, Region, lat and lon are not available');
    const name = ctx.outName({ ...l.field, text: `${l.prefix}Country` });
    const cols = new Map(scope.cols).set(name, { list: false, type: 'keyword' });
    if (!ctx.fn.nativeSpl) return keep(portableIplocation(ctx, scope, ip, countries, name, from, l.field), { ...scope, cols, sorted: true });
    const map = `(SELECT "key" AS "__pt_ip", "value" ->> '$' AS "__pt_country" FROM json_each(${ctx.param(JSON.stringify(countries))}))`;
    const exclude = [ROW, ...(scope.cols.has(name) ? [q(name)] : [])];
    const sql = `SELECT e.* EXCLUDE (${exclude.join(', ')}), g."__pt_country" AS ${q(name)} FROM ${numbered(ctx, scope, from, l.field)} AS e LEFT JOIN ${map} AS g ON g."__pt_ip" = ${ip} ORDER BY e.${ROW}`;
    return keep(sql, { ...scope, cols, sorted: true });
  },
});

/**
 * iplocation on engines without JSON tables or `* EXCLUDE` (ClickHouse 18.16): the addresses and
 * their countries bound as pairs, joined on the address's text (a NULL address matches nothing), the
 * columns listed by name, in input order.
 */
function portableIplocation(ctx: Ctx, scope: Scope, ip: string, countries: Record<string, string>, name: string, from: string, at: Token): string {
  const fn = ctx.fn;
  const pairs = ctx.paramWith((params, key) => fn.pairsParam(params, key, Object.entries(countries), ['__pt_ipk', '__pt_c']));
  const map = `(SELECT ${fn.groupKey('__pt_ipk')} AS "__pt_ip", ${fn.nullable('__pt_c')} AS "__pt_country" FROM ${pairs})`;
  const rows = `(SELECT *, ${fn.groupKey(ip)} AS "__pt_ip" FROM ${numbered(ctx, scope, from, at)})`;
  const select = allBut(ctx, scope, [ROW, '__pt_ip', ...(scope.cols.has(name) ? [name] : [])], [`"__pt_country" AS ${q(name)}`], 'iplocation', at);
  return `SELECT ${select} FROM ${fn.leftJoinUsing(rows, map, ['"__pt_ip"'])} ORDER BY ${ROW}`;
}

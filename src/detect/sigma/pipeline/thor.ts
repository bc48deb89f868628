import { parse as parseYaml } from 'yaml';
import type { LogsourceEntry, LogsourceTarget, WhenValue } from './mappings.js';

const WIN_EVENTLOG = /^WinEventLog:(.+)$/;

/**
 * Converts a THOR-style Sigma config (SigmaHQ `tests/thor.yml`) into logsource entries for the
 * `windows.event` format: category logsources become EventID (and other System/EventData)
 * conditions plus the Channel of the rewritten service; service logsources become Channel
 * conditions; `fieldmappings` become per-target renames.
 */
export function logsourcesFromThor(text: string, format = 'windows.event', fields = 'windows'): LogsourceEntry[] {
  const doc = parseYaml(text) as { logsources?: Record<string, ThorSource> };
  const sources = Object.values(doc.logsources ?? {});
  const channels = new Map<string, string[]>();
  for (const s of sources) {
    const chans = (s.sources ?? []).map((x) => WIN_EVENTLOG.exec(x)?.[1]).filter((x): x is string => !!x);
    if (s.product && s.service && chans.length) channels.set(`${s.product}/${s.service}`, chans);
  }
  const entries: LogsourceEntry[] = [];
  const add = (ls: LogsourceEntry['logsource'], t: LogsourceTarget) => {
    const e = entries.find((x) => x.logsource.category === ls.category && x.logsource.product === ls.product && x.logsource.service === ls.service);
    if (e) e.targets.push(t);
    else entries.push({ logsource: ls, targets: [t] });
  };
  for (const s of sources) {
    const ls: LogsourceEntry['logsource'] = {};
    if (s.category) ls.category = s.category.toLowerCase();
    if (s.product) ls.product = s.product.toLowerCase();
    if (s.service) ls.service = s.service.toLowerCase();
    const when: Record<string, WhenValue> = {};
    if (s.conditions) {
      for (const [k, v] of Object.entries(s.conditions)) when[pathOf(k)] = Array.isArray(v) ? v : v;
      const rw = s.rewrite;
      const chans = rw?.product && rw.service ? channels.get(`${rw.product}/${rw.service}`) : undefined;
      if (chans) when['winlog.channel'] = chans;
    } else {
      const chans = s.product && s.service ? channels.get(`${s.product}/${s.service}`) : undefined;
      if (!chans) continue;
      when['winlog.channel'] = chans;
    }
    add(ls, { format, fields, when, rename: { ...(s.fieldmappings ?? {}) } });
  }
  return entries;
}

function pathOf(key: string): string {
  if (key === 'EventID') return 'winlog.event_id';
  if (key === 'Channel') return 'winlog.channel';
  if (key === 'Provider_Name') return 'winlog.provider_name';
  return `winlog.event_data.${key}`;
}

interface ThorSource {
  category?: string;
  product?: string;
  service?: string;
  conditions?: Record<string, string | number | (string | number)[]>;
  rewrite?: { product?: string; service?: string };
  fieldmappings?: Record<string, string>;
  sources?: string[];
}

import { list, num, str, type Row } from '../rows.js';
import { firstRow, type TrailState } from '../state.js';
import { factsOf, isBlocking, joined, socket, verdictOf, type HopDescription } from './facts.js';

/** Defender: the device, the process and user that connected, and SmartScreen / Network Protection's verdict. */
export function describeEndpoint(s: TrailState): HopDescription {
  const conn = s.found.get('endpoint')?.primary;
  const protection = s.found.get('endpoint-protection')?.rows ?? [];
  const row = (conn ?? protection[0])!;
  const verdicts = protection.map((r) => str(r, 'event_action')).filter((a): a is string => !!a);
  const overridden = verdicts.some((a) => /Override|Bypass/.test(a));
  const blocked = (!overridden && verdicts.some(isBlocking)) || isBlocking(str(conn, 'event_action'));
  const process = str(row, 'process_name');
  const target = str(row, 'url_domain') ?? str(row, 'destination_domain') ?? str(row, 'destination_ip');
  return {
    verdict: blocked ? 'blocked' : 'allowed',
    summary: joined([
      process ?? 'a process', 'on', str(row, 'host_name') ?? str(row, 'host_id') ?? 'an unnamed device',
      str(row, 'user_name') ? `(${str(row, 'user_name')})` : undefined,
      blocked ? 'was stopped from reaching' : 'connected to', target,
      conn && str(conn, 'destination_ip') && target !== str(conn, 'destination_ip') ? `via ${socket(conn, 'destination_ip', 'destination_port')}` : undefined,
      verdicts.length ? `— ${verdicts.join(', ')}` : undefined,
    ]),
    facts: factsOf([
      ['device', str(row, 'host_name')], ['device id', str(row, 'host_id')], ['process', process], ['command line', str(row, 'process_command_line')],
      ['user', str(row, 'user_name')], ['local', socket(conn, 'source_ip', 'source_port')], ['remote', socket(conn ?? row, 'destination_ip', 'destination_port')],
      ['remote url', str(row, 'url_original')], ['action', str(conn, 'event_action')],
      ['SmartScreen / Network Protection', verdicts.join(', ') || 'no warning or block recorded'],
    ]),
  };
}

/** Umbrella, Defender, Route 53 Resolver, Zscaler DNS: the query, the CNAME chain and addresses, the policy action. */
export function describeDns(s: TrailState): HopDescription {
  const rows = ['dns-umbrella', 'dns-defender', 'dns-route53', 'dns-zscaler'].flatMap((id) => s.found.get(id as 'dns-umbrella')?.rows ?? []);
  const withAnswers = rows.find((r) => str(r, 'dns_answers')) ?? rows[0]!;
  const answers = parseAnswers(str(withAnswers, 'dns_answers'));
  const resolved = rows.flatMap((r) => list(r, 'dns_resolved_ip'));
  const addresses = [...new Set([...answers.filter((a) => isAddress(a)), ...resolved])];
  const cnames = answers.filter((a) => !isAddress(a));
  const policy = firstRow(s, ['dns-umbrella', 'dns-zscaler']) ?? rows[0]!;
  const action = str(policy, 'event_action') ?? str(policy, 'zscaler_dns_response_action');
  const blocked = isBlocking(action) || list(policy, 'event_type').includes('denied');
  const name = str(rows[0], 'dns_question_name');
  return {
    verdict: blocked ? 'blocked' : 'allowed',
    summary: joined([
      `${name} ${str(rows[0], 'dns_question_type') ?? ''}`.trim(), '→', [...cnames, ...addresses].join(' → ') || str(rows[0], 'dns_response_code') || 'no answer logged',
      action ? `(${rows.map((r) => r.event_dataset).filter((v, i, a) => a.indexOf(v) === i).join(', ')}: ${action})` : undefined,
    ]),
    facts: factsOf([
      ['query', name], ['type', str(rows[0], 'dns_question_type')], ['response code', str(rows[0], 'dns_response_code')],
      ['CNAME', cnames.filter((a) => a.includes('.') && !a.includes(' ') && !a.startsWith('"')).join(' → ')], ['addresses', addresses.join(', ')],
      ['answers', cnames.filter((a) => !a.includes('.') || a.includes(' ') || a.startsWith('"')).join(', ')], ['client', str(rows[0], 'source_ip')],
      ['user', firstUser(rows)], ['device', rows.map((r) => str(r, 'host_name')).find(Boolean)], ['policy action', action],
      ['categories', list(policy, 'umbrella_categories').join(', ') || str(policy, 'zscaler_dns_category')],
      ['resolver', str(firstRow(s, ['dns-defender']), 'destination_ip') ?? str(firstRow(s, ['dns-route53']), 'aws_route53_vpc_id')],
    ]),
  };
}

/** Zscaler (or Umbrella SIG): user, URL category, SSL inspection, DLP and sandbox verdicts. */
export function describeProxy(s: TrailState): HopDescription {
  const row = firstRow(s, ['proxy-zscaler', 'proxy-umbrella'])!;
  const action = str(row, 'event_action');
  const dlp = joined([str(row, 'zscaler_dlp_engine'), str(row, 'zscaler_dlp_rule_name'), str(row, 'zscaler_dlp_dictionaries')], ' / ');
  const ssl = row.zscaler_ssl_decrypted;
  return {
    verdict: verdictOf(action),
    summary: joined([
      str(row, 'observer_product') ?? 'proxy', action ?? '', str(row, 'http_request_method'), str(row, 'url_full') ?? str(row, 'url_original'),
      str(row, 'user_name') ? `for ${str(row, 'user_name')}` : undefined, str(row, 'zscaler_url_category') ? `[${str(row, 'zscaler_url_category')}]` : undefined,
    ]),
    facts: factsOf([
      ['user', str(row, 'user_name')], ['client', socket(row, 'source_ip', 'source_port')], ['device', str(row, 'host_name')],
      ['url', str(row, 'url_full') ?? str(row, 'url_original')], ['status', num(row, 'http_response_status_code')],
      ['category', joined([str(row, 'zscaler_url_category'), str(row, 'zscaler_url_super_category')], ' / ') || list(row, 'umbrella_categories').join(', ')],
      ['action', action], ['rule', str(row, 'rule_name')], ['SSL inspection', ssl === true ? 'decrypted' : ssl === false ? 'not decrypted' : undefined],
      ['DLP', dlp || 'no DLP match logged'], ['sandbox', str(row, 'zscaler_sandbox_verdict') ?? 'no sandbox verdict logged'],
      ['threat', str(row, 'zscaler_threat_name')], ['user agent', str(row, 'user_agent_original')],
    ]),
  };
}

/** PAN-OS: the rule, App-ID, the NAT address and port, the session and any threat verdict on it. */
export function describeFirewall(s: TrailState): HopDescription {
  const row = s.found.get('firewall')!.primary;
  const session = s.found.get('firewall-session')?.rows ?? [row];
  const threats = session.filter((r) => str(r, 'panw_panos_type') === 'THREAT');
  const action = str(row, 'panw_panos_action') ?? str(row, 'event_action');
  const threatVerdict = threats.map((r) => joined([str(r, 'panw_panos_sub_type'), str(r, 'panw_panos_threat_name'), str(r, 'panw_panos_action')], ' ')).join('; ');
  const blocked = isBlocking(action) || threats.some((r) => isBlocking(str(r, 'panw_panos_action')));
  const nat = socket(row, 'source_nat_ip', 'source_nat_port');
  return {
    verdict: blocked ? 'blocked' : 'allowed',
    summary: joined([
      'PAN-OS', action ?? '', 'by rule', str(row, 'rule_name') ?? '?', `(${str(row, 'network_application') ?? 'unknown app'})`,
      socket(row, 'source_ip', 'source_port'), nat ? `→ NAT ${nat}` : undefined, '→', socket(row, 'destination_ip', 'destination_port'),
    ]),
    facts: factsOf([
      ['rule', str(row, 'rule_name')], ['App-ID', str(row, 'network_application')], ['action', action],
      ['NAT', nat], ['source', socket(row, 'source_ip', 'source_port')], ['destination', socket(row, 'destination_ip', 'destination_port')],
      ['session id', str(row, 'panw_panos_session_id')], ['user', str(row, 'user_name')], ['zones', joined([str(row, 'observer_ingress_zone'), str(row, 'observer_egress_zone')], ' → ')],
      ['URL category', str(row, 'panw_panos_url_category')], ['end reason', str(row, 'event_reason')],
      ['threat verdict', threatVerdict || 'no THREAT log for this session'],
    ]),
  };
}

function firstUser(rows: Row[]): string | undefined {
  // Defender logs DNS under the resolver service's account, not the person.
  return rows.map((r) => str(r, 'user_name')).find((u) => u && u !== 'network service');
}

function isAddress(v: string): boolean {
  return /^[0-9.]+$/.test(v) || /^[0-9a-f:]+$/i.test(v);
}

function parseAnswers(text: string | undefined): string[] {
  if (!text) return [];
  try {
    const parsed = JSON.parse(text) as unknown;
    if (Array.isArray(parsed)) return parsed.map((a) => (a && typeof a === 'object' ? String((a as { data?: unknown }).data ?? '') : String(a))).filter(Boolean);
  } catch {
    /* not JSON: one answer */
  }
  return [text];
}

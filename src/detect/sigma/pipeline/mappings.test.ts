import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { EcsEvent } from '../../../ecs/event.js';
import { loadRuleText } from '../rule/load.js';
import { createMatcher } from '../compile/matcher.js';
import { addMappingText, loadMappings, resolveField, targetsFor } from './mappings.js';
import { logsourcesFromThor } from './thor.js';

const builtin = loadMappings();

function rule(logsource: string, detection: string, id = 'r'): string {
  return `title: ${id}\nid: ${id}\nlogsource: {${logsource}}\ndetection:\n${detection.replace(/^/gm, '  ')}\n`;
}

function hits(docs: string[], event: Record<string, unknown>): string[] {
  const rs = loadRuleText(docs.join('---\n'));
  assert.deepEqual(rs.errors, []);
  return createMatcher(rs)
    .match(event as EcsEvent)
    .map((m) => m.ruleId);
}

test('webserver rules route to the web formats and read ECS fields through the field map', () => {
  const targets = targetsFor(builtin, { category: 'webserver' }).map((t) => t.format);
  assert.deepEqual(targets.sort(), ['app.json', 'aws.alb', 'aws.cloudfront', 'aws.waf']);
  const web = rule('category: webserver', "sel:\n  cs-method: POST\n  cs-uri-query|contains: '/wp-login.php'\n  sc-status: 200\ncondition: sel", 'web');
  const cf = { event: { dataset: 'aws.cloudfront' }, http: { request: { method: 'POST' }, response: { status_code: 200 } }, url: { original: '/wp-login.php?x=1', path: '/wp-login.php' } };
  assert.deepEqual(hits([web], cf), ['web']);
  assert.deepEqual(hits([web], { ...cf, http: { request: { method: 'GET' }, response: { status_code: 200 } } }), []);
  // The same fields on a CloudTrail event: the rule does not apply to that source.
  assert.deepEqual(hits([web], { ...cf, event: { dataset: 'aws.cloudtrail' } }), []);
  const kw = rule('category: webserver', "keywords:\n  - '${jndi:'\ncondition: keywords", 'kw');
  assert.deepEqual(hits([kw], { event: { dataset: 'aws.alb' }, user_agent: { original: 'x ${JNDI:ldap://e}' } }), ['kw']);
});

test('logsource conditions select records within a format (Umbrella DNS vs proxy)', () => {
  const dns = rule('category: dns', "sel:\n  query|endswith: '.evil.example'\ncondition: sel", 'dns');
  const proxy = rule('category: proxy', "sel:\n  c-uri|contains: 'evil.example'\ncondition: sel", 'proxy');
  const dnsEvent = { event: { dataset: 'cisco.umbrella', category: ['network'] }, dns: { question: { name: 'a.evil.example' } } };
  const webEvent = { event: { dataset: 'cisco.umbrella', category: ['web'] }, url: { original: 'https://evil.example/x' } };
  assert.deepEqual(hits([dns, proxy], dnsEvent), ['dns']);
  assert.deepEqual(hits([dns, proxy], webEvent), ['proxy']);
});

test('CloudTrail fields: mapped names, requestParameters.* subtree, raw vendor fallback', () => {
  const ct = rule(
    'product: aws, service: cloudtrail',
    "sel:\n  eventSource: s3.amazonaws.com\n  eventName: PutBucketPolicy\n  requestParameters.bucketName: secret\n  userIdentity.type: Root\ncondition: sel",
    'ct',
  );
  const event = {
    event: { dataset: 'aws.cloudtrail', action: 'PutBucketPolicy', provider: 's3.amazonaws.com' },
    aws: { cloudtrail: { request_parameters: { bucketName: 'secret' }, user_identity: { type: 'Root' } } },
  };
  assert.deepEqual(hits([ct], event), ['ct']);
  const t = targetsFor(builtin, { product: 'aws', service: 'cloudtrail' })[0]!;
  assert.deepEqual(resolveField(builtin, t, 'requestParameters.policy.Statement', 'sigma'), ['aws.cloudtrail.request_parameters.policy.Statement']);
  assert.deepEqual(resolveField(builtin, t, 'vpcEndpointId', 'sigma'), ['aws.cloudtrail.vpcEndpointId', 'vpcEndpointId']);
  assert.deepEqual(resolveField(builtin, t, 'event.action', 'ecs'), ['event.action']);
});

test('Defender process events serve windows process_creation rules', () => {
  const pc = rule('category: process_creation, product: windows', "sel:\n  Image|endswith: '\\\\cmd.exe'\n  CommandLine|contains: whoami\ncondition: sel", 'pc');
  const event = { event: { dataset: 'microsoft.defender' }, microsoft: { defender: { table: 'DeviceProcessEvents' } }, process: { executable: 'C:\\Windows\\System32\\cmd.exe', command_line: 'cmd /c whoami' } };
  assert.deepEqual(hits([pc], event), ['pc']);
  assert.deepEqual(hits([pc], { ...event, microsoft: { defender: { table: 'DeviceFileEvents' } } }), []);
});

test('thor.yml conversion: EventID/Channel conditions, per-target renames', () => {
  const thor = `logsources:
  pc1: {category: process_creation, product: windows, conditions: {EventID: 1}, rewrite: {product: windows, service: sysmon}}
  pc2: {category: process_creation, product: windows, conditions: {EventID: 4688}, rewrite: {product: windows, service: security}, fieldmappings: {Image: NewProcessName}}
  sysmon: {product: windows, service: sysmon, sources: ['WinEventLog:Microsoft-Windows-Sysmon/Operational']}
  security: {product: windows, service: security, sources: ['WinEventLog:Security']}
`;
  const entries = logsourcesFromThor(thor);
  const pc = entries.find((e) => e.logsource.category === 'process_creation')!;
  assert.equal(pc.targets.length, 2);
  assert.deepEqual(pc.targets[1]!.when, { 'winlog.event_id': 4688, 'winlog.channel': ['Security'] });
  const m = addMappingText({ logsources: entries, fieldmaps: builtin.fieldmaps }, '{}', 'x');
  assert.deepEqual(resolveField(m, pc.targets[1]!, 'Image', 'sigma'), ['winlog.event_data.NewProcessName', 'winlog.user_data.NewProcessName', 'NewProcessName']);
  const r = rule('category: process_creation, product: windows', "sel:\n  Image|endswith: '\\\\x.exe'\ncondition: sel", 'w');
  const rs = loadRuleText(r);
  const matcher = createMatcher(rs, ['windows.event'], { mappings: m });
  const sec = { event: { dataset: 'windows.event' }, winlog: { event_id: '4688', channel: 'Security', event_data: { NewProcessName: 'C:\\x.exe' } } };
  assert.equal(matcher.match(sec as EcsEvent).length, 1);
  const sysmon = { event: { dataset: 'windows.event' }, winlog: { event_id: '1', channel: 'Microsoft-Windows-Sysmon/Operational', event_data: { Image: 'C:\\x.exe' } } };
  assert.equal(matcher.match(sysmon as EcsEvent).length, 1);
  assert.equal(matcher.match({ ...sysmon, winlog: { ...sysmon.winlog, event_id: '3' } } as EcsEvent).length, 0);
});

test('user mapping files add targets and are validated', () => {
  const m = addMappingText(loadMappings(), 'logsources:\n  - logsource: {category: webserver}\n    targets: [{format: my.web, fields: webserver}]\n', 'mine.yml');
  assert.ok(targetsFor(m, { category: 'webserver' }).some((t) => t.format === 'my.web'));
  assert.throws(() => addMappingText(loadMappings(), 'logsources: {}', 'bad.yml'), /bad.yml: 'logsources' must be a list/);
  assert.throws(() => addMappingText(loadMappings(), 'logsources:\n  - logsource: {category: x}\n    targets: [{format: y}]\n', 'bad.yml'), /needs 'format' and 'fields'/);
});

test('a rule with several target variants in one format matches through any of them, once', () => {
  const m = addMappingText(
    { logsources: [], fieldmaps: new Map() },
    `logsources:
  - logsource: {category: multi}
    targets:
      - {format: t, fields: plain}
      - {format: t, fields: plain, rename: {Image: NewProcessName}}
fieldmaps:
  plain: {fallback: []}
`,
    'multi',
  );
  const rs = loadRuleText(rule('category: multi', "sel:\n  Image|endswith: x.exe\ncondition: sel", 'm'));
  const matcher = createMatcher(rs, undefined, { mappings: m });
  assert.equal(matcher.match({ event: { dataset: 't' }, NewProcessName: 'C:\\x.exe' } as EcsEvent).length, 1);
  assert.equal(matcher.match({ event: { dataset: 't' }, Image: 'C:\\x.exe', NewProcessName: 'C:\\x.exe' } as EcsEvent).length, 1);
});

test('many rules sharing needles each fire on their own events (needle gating)', () => {
  const docs = [
    rule('category: webserver', "sel:\n  cs-uri-query|contains: ['/admin', '/.env']\ncondition: sel", 'a'),
    rule('category: webserver', "sel:\n  cs-uri-query|contains: '/admin'\n  cs-method: POST\ncondition: sel", 'b'),
    rule('category: webserver', "sel:\n  cs-uri-query|contains: '/admin'\nfilter:\n  sc-status: 404\ncondition: sel and not filter", 'c'),
    rule('category: webserver', "sel:\n  cs-uri-query: '/x?y'\ncondition: not sel", 'd'),
    rule('category: webserver', "sel:\n  cs-uri-query|re: '\\.env$'\ncondition: sel", 'e'),
  ];
  const ev = (uri: string, method: string, status: number) => ({ event: { dataset: 'aws.cloudfront' }, url: { original: uri }, http: { request: { method }, response: { status_code: status } } });
  assert.deepEqual(hits(docs, ev('/admin/login', 'POST', 200)).sort(), ['a', 'b', 'c', 'd']);
  assert.deepEqual(hits(docs, ev('/admin/login', 'GET', 404)).sort(), ['a', 'd']);
  assert.deepEqual(hits(docs, ev('/.env', 'GET', 200)).sort(), ['a', 'd', 'e']);
  assert.deepEqual(hits(docs, ev('/xzy', 'GET', 200)), []);
  assert.deepEqual(hits(docs, ev('/index.html', 'GET', 200)), ['d']);
});

test('a logsource naming only a product covers every log of it: product windows reaches every Windows channel', () => {
  // SigmaHQ's "Mimikatz Use": keywords over every Windows log, Sysmon FileStream events filtered out.
  const mimikatz = rule('product: windows', "keywords:\n  - 'lsadump::'\n  - 'sekurlsa::'\nfilter:\n  EventID: 15\ncondition: keywords and not filter", 'mimikatz');
  const ps = { event: { dataset: 'windows.event' }, winlog: { event_id: '4104', channel: 'Microsoft-Windows-PowerShell/Operational', event_data: { ScriptBlockText: 'Invoke-Mimikatz -Command "lsadump::dcsync"' } } };
  assert.deepEqual(hits([mimikatz], ps), ['mimikatz']);
  const nxlog = { event: { dataset: 'windows.event' }, winlog: { event_id: '800', channel: 'Windows PowerShell' }, message: 'Pipeline execution details: sekurlsa::logonpasswords' };
  assert.deepEqual(hits([mimikatz], nxlog), ['mimikatz']);
  assert.deepEqual(hits([mimikatz], { ...ps, winlog: { ...ps.winlog, event_id: '15', channel: 'Microsoft-Windows-Sysmon/Operational' } }), []);
  assert.deepEqual(targetsFor(builtin, { product: 'windows' }).map((t) => t.format), ['windows.event']);
  assert.deepEqual(targetsFor(builtin, { product: 'aws' }).map((t) => t.format).sort(), ['aws.alb', 'aws.cloudfront', 'aws.cloudtrail', 'aws.route53resolver', 'aws.s3access', 'aws.vpcflow', 'aws.waf']);
  assert.deepEqual(targetsFor(builtin, { product: 'paloalto' }).map((t) => t.format), ['panw.panos']);
  // Services SigmaHQ rules name that tests/thor.yml does not.
  for (const service of ['dns-server', 'driver-framework', 'microsoft-servicebus-client']) assert.equal(targetsFor(builtin, { product: 'windows', service })[0]?.format, 'windows.event', service);
  // The Sigma Message field: an EventData field of that name, else the rendered message the shipper gave.
  const atera = rule('product: windows, service: application', "sel:\n  Message|contains: AteraAgent\ncondition: sel", 'atera');
  const app = { event: { dataset: 'windows.event' }, winlog: { event_id: '1033', channel: 'Application' }, message: 'Product: AteraAgent -- Installation completed successfully.' };
  assert.deepEqual(hits([atera], app), ['atera']);
});

test('Windows keywords search what Windows wrote (message, winlog), not packettrail metadata such as the log file path', () => {
  const mimikatz = rule('product: windows', "keywords:\n  - 'sekurlsa::'\ncondition: keywords", 'mimikatz');
  const base = { event: { dataset: 'windows.event', id: 'x' }, winlog: { event_id: '4104', channel: 'Microsoft-Windows-PowerShell/Operational', event_data: { ScriptBlockText: 'Get-Date' } } };
  assert.deepEqual(hits([mimikatz], { ...base, log: { file: { path: '/cases/sekurlsa::dump/events.json' } } }), []);
  assert.deepEqual(hits([mimikatz], { ...base, tags: ['sekurlsa::'] }), []);
  assert.deepEqual(hits([mimikatz], { ...base, winlog: { ...base.winlog, event_data: { ScriptBlockText: 'x sekurlsa::logonpasswords' } } }), ['mimikatz']);
  assert.deepEqual(hits([mimikatz], { ...base, message: 'Pipeline: sekurlsa::logonpasswords' }), ['mimikatz']);
});

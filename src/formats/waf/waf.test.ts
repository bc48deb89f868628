import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseText } from '../../testing/parse.js';
import { needsShared, sharedPath } from '../../testing/shared.js';
import { getPath, type EcsEvent } from '../../ecs/event.js';
import { detectFormat } from '../registry.js';

const ID = 'aws.waf';
const skip = needsShared();
const DIR = ['testdata', 'elastic', 'aws', 'waf'];

function one(record: object | string): EcsEvent {
  const r = parseText(ID, typeof record === 'string' ? record : JSON.stringify(record));
  assert.deepEqual(r.rejected, []);
  assert.equal(r.events.length, 1);
  return r.events[0]!;
}

function rejectReason(text: string): string {
  const r = parseText(ID, text);
  assert.equal(r.events.length, 0, text);
  assert.equal(r.rejected.length, 1, text);
  return r.rejected[0]!.reason;
}

const BASE = {
  timestamp: 1700000000123,
  formatVersion: 1,
  webaclId: 'arn:aws:wafv2:us-east-1:111122223333:global/webacl/edge-acl/a1b2c3d4-5678-90ab-cdef-EXAMPLE11111',
  terminatingRuleId: 'Default_Action',
  terminatingRuleType: 'REGULAR',
  action: 'ALLOW',
  terminatingRuleMatchDetails: [],
  httpSourceName: 'CF',
  httpSourceId: 'E2EXAMPLE3DIST',
  ruleGroupList: [],
  rateBasedRuleList: [],
  nonTerminatingMatchingRules: [],
  requestHeadersInserted: null,
  responseCodeSent: null,
  httpRequest: {
    clientIp: '203.0.113.10',
    country: 'FR',
    headers: [
      { name: 'host', value: 'app.example.com' },
      { name: 'user-agent', value: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36' },
      { name: 'REFERER', value: 'https://www.example.org/start' },
      { name: 'X-Forwarded-For', value: '198.51.100.7, 10.0.0.1' },
    ],
    uri: '/login',
    args: 'next=%2Fhome&x=1',
    httpVersion: 'HTTP/2.0',
    httpMethod: 'POST',
    requestId: 'Yx6kF3sVZ8Y3Lk0dNQwPzZfTRz8Uq8ZzP2bY4rEXAMPLE==',
  },
  labels: [],
};

function record(over: Record<string, unknown>): Record<string, unknown> {
  return { ...BASE, ...over };
}

test('every Elastic WAF sample line parses with zero rejects and is auto-detected', { skip }, () => {
  const text = readFileSync(sharedPath(...DIR, 'test-waf.log'), 'utf8');
  const r = parseText(ID, text);
  assert.deepEqual(r.rejected, []);
  assert.equal(r.events.length, text.split('\n').filter((l) => l.trim()).length);
  assert.equal(detectFormat({ name: 'test-waf.log', lines: text.split('\n') }).format?.id, ID);
});

test("core ECS fields agree with Elastic's sample_event.json", { skip }, () => {
  const expected = JSON.parse(readFileSync(sharedPath(...DIR, 'sample_event.json'), 'utf8')) as EcsEvent;
  const event = one(expected.event!.original!);
  for (const path of [
    'source.ip', 'http.request.id', 'http.request.method', 'http.version', 'rule.id', 'rule.ruleset', 'url.path',
    'cloud.region', 'cloud.account.id', 'cloud.provider', 'cloud.service.name', 'event.kind', 'event.category', 'event.type',
    'event.dataset', 'aws.waf.arn', 'aws.waf.id', 'aws.waf.format_version', 'aws.waf.request.headers',
    'aws.waf.terminating_rule_match_details', 'network.transport', 'network.protocol', 'related.ip',
  ]) {
    assert.deepEqual(getPath(event, path), getPath(expected, path), path);
  }
  assert.equal(Date.parse(event['@timestamp']!), Date.parse(expected['@timestamp']!));
  // packettrail writes actions in lower case; Elastic keeps WAF's upper case.
  assert.equal(event.event!.action, (expected.event!.action as string).toLowerCase());
  // Elastic keeps labels as [{name}]; packettrail flattens them to names.
  assert.deepEqual(getPath(event, 'aws.waf.labels'), ['value']);
});

test('a CloudFront-scoped allow: request id, headers in any case, client, url, user agent, cloud', () => {
  const e = one(record({ ja3Fingerprint: 'e7d705a3286e19ea42f587b344ee6865', ja4Fingerprint: 't13d1516h2_8daaf6152771_e5627efa2ab1', clientAsn: 64496 }));
  assert.equal(e['@timestamp'], '2023-11-14T22:13:20.123Z');
  assert.deepEqual(e.event!.type, ['access', 'allowed']);
  assert.equal(e.event!.action, 'allow');
  assert.equal(e.event!.outcome, 'success');
  assert.equal(e.event!.dataset, ID);
  assert.equal(e.event!.module, 'aws');
  assert.equal(getPath(e, 'http.request.id'), BASE.httpRequest.requestId);
  assert.equal(getPath(e, 'http.request.method'), 'POST');
  assert.equal(getPath(e, 'http.request.referrer'), 'https://www.example.org/start');
  assert.equal(getPath(e, 'http.version'), '2.0');
  assert.equal(getPath(e, 'source.ip'), '203.0.113.10');
  assert.equal(getPath(e, 'source.geo.country_iso_code'), 'FR');
  assert.equal(getPath(e, 'source.as.number'), 64496);
  assert.equal(getPath(e, 'network.forwarded_ip'), '198.51.100.7');
  assert.deepEqual(getPath(e, 'related.ip'), ['203.0.113.10', '198.51.100.7', '10.0.0.1']);
  assert.equal(getPath(e, 'url.domain'), 'app.example.com');
  assert.equal(getPath(e, 'url.registered_domain'), 'example.com');
  assert.equal(getPath(e, 'url.path'), '/login');
  assert.equal(getPath(e, 'url.query'), 'next=%2Fhome&x=1');
  assert.equal(getPath(e, 'url.original'), '/login?next=%2Fhome&x=1');
  assert.equal(getPath(e, 'user_agent.name'), 'Chrome');
  assert.equal(getPath(e, 'user_agent.os.name'), 'Windows');
  assert.equal(getPath(e, 'tls.client.ja3'), 'e7d705a3286e19ea42f587b344ee6865');
  assert.equal(getPath(e, 'tls.client.ja4'), 't13d1516h2_8daaf6152771_e5627efa2ab1');
  assert.deepEqual(getPath(e, 'related.hash'), ['e7d705a3286e19ea42f587b344ee6865', 't13d1516h2_8daaf6152771_e5627efa2ab1']);
  assert.equal(getPath(e, 'cloud.region'), 'us-east-1');
  assert.equal(getPath(e, 'cloud.account.id'), '111122223333');
  assert.equal(getPath(e, 'observer.name'), 'edge-acl');
  assert.equal(getPath(e, 'aws.waf.source.name'), 'CF');
  assert.equal(getPath(e, 'aws.waf.source.id'), 'E2EXAMPLE3DIST');
  assert.equal(getPath(e, 'aws.waf.request.headers.user-agent'), BASE.httpRequest.headers[1]!.value);
  assert.equal(getPath(e, 'rule.id'), 'Default_Action');
  assert.equal(getPath(e, 'trace'), undefined);
  assert.equal(getPath(e, 'log.file.path'), 'test.log');
  assert.equal(getPath(e, 'event.ingested'), '2026-01-01T00:00:00.000Z');
  assert.equal(getPath(e, 'event.original'), undefined);
});

test('event.original only with --original; the same record always gets the same event.id', () => {
  const text = JSON.stringify(BASE);
  const a = parseText(ID, text, { original: true }).events[0]!;
  const b = parseText(ID, text, { source: 'other.log' }).events[0]!;
  assert.equal(a.event!.original, text);
  assert.equal(a.event!.id, b.event!.id);
  assert.notEqual(a.event!.id, one(record({ timestamp: BASE.timestamp + 1 })).event!.id);
});

test('a managed rule group block: rule name from the group, group ids, excluded and non-terminating rules', () => {
  const e = one(
    record({
      action: 'BLOCK',
      terminatingRuleId: 'AWS-AWSManagedRulesCommonRuleSet',
      terminatingRuleType: 'MANAGED_RULE_GROUP',
      ruleGroupList: [
        {
          ruleGroupId: 'AWS#AWSManagedRulesCommonRuleSet',
          terminatingRule: { ruleId: 'SizeRestrictions_BODY', action: 'BLOCK', ruleMatchDetails: null },
          nonTerminatingMatchingRules: [{ ruleId: 'NoUserAgent_HEADER', action: 'COUNT' }],
          excludedRules: [{ exclusionType: 'EXCLUDED_AS_COUNT', ruleId: 'GenericRFI_BODY' }],
        },
        { ruleGroupId: 'AWS#AWSManagedRulesAmazonIpReputationList', terminatingRule: null, nonTerminatingMatchingRules: [], excludedRules: null },
      ],
      labels: [{ name: 'awswaf:managed:aws:core-rule-set:SizeRestrictions_Body' }],
    }),
  );
  assert.equal(e.event!.action, 'block');
  assert.equal(e.event!.outcome, 'failure');
  assert.deepEqual(e.event!.type, ['access', 'denied']);
  assert.deepEqual(e.rule, { id: 'AWS-AWSManagedRulesCommonRuleSet', name: 'SizeRestrictions_BODY', ruleset: 'MANAGED_RULE_GROUP' });
  assert.equal(getPath(e, 'aws.waf.terminating_rule_group_id'), 'AWS#AWSManagedRulesCommonRuleSet');
  assert.deepEqual(getPath(e, 'aws.waf.rule_group_ids'), ['AWS#AWSManagedRulesCommonRuleSet']);
  assert.deepEqual(getPath(e, 'aws.waf.non_terminating_rule_ids'), ['NoUserAgent_HEADER']);
  assert.deepEqual(getPath(e, 'aws.waf.excluded_rule_ids'), ['GenericRFI_BODY']);
  assert.deepEqual(getPath(e, 'aws.waf.labels'), ['awswaf:managed:aws:core-rule-set:SizeRestrictions_Body']);
  assert.equal((getPath(e, 'aws.waf.rule_group_list') as unknown[]).length, 2);
});

test('a rate-based block lists the rate-based rule', () => {
  const e = one(
    record({
      action: 'BLOCK',
      terminatingRuleId: 'ip-rate-limit',
      terminatingRuleType: 'RATE_BASED',
      rateBasedRuleList: [{ rateBasedRuleId: 'a1b2c3d4-rbr', rateBasedRuleName: 'ip-rate-limit', limitKey: 'IP', maxRateAllowed: 100, evaluationWindowSec: '300' }],
      responseCodeSent: 429,
    }),
  );
  assert.equal(e.event!.action, 'block');
  assert.deepEqual(e.rule, { id: 'ip-rate-limit', name: 'ip-rate-limit', ruleset: 'RATE_BASED' });
  assert.deepEqual(getPath(e, 'aws.waf.rate_based_rule_names'), ['ip-rate-limit']);
  assert.equal(getPath(e, 'aws.waf.response_code_sent'), 429);
  assert.equal(getPath(e, 'http.response.status_code'), 429);
});

test('CAPTCHA and CHALLENGE actions and their token responses', () => {
  const captcha = one(
    record({ action: 'CAPTCHA', terminatingRuleId: 'captcha-login', captchaResponse: { responseCode: 405, solveTimestamp: 0, failureReason: 'TOKEN_MISSING' } }),
  );
  assert.equal(captcha.event!.action, 'captcha');
  assert.equal(captcha.event!.outcome, 'failure');
  assert.deepEqual(captcha.event!.type, ['access', 'denied']);
  assert.deepEqual(getPath(captcha, 'aws.waf.captcha_response'), { response_code: 405, failure_reason: 'TOKEN_MISSING' });

  const challenge = one(record({ action: 'CHALLENGE', terminatingRuleId: 'bot-challenge', challengeResponse: { responseCode: 202, failureReason: 'TOKEN_EXPIRED' } }));
  assert.equal(challenge.event!.action, 'challenge');
  assert.equal(getPath(challenge, 'aws.waf.challenge_response.response_code'), 202);

  // A solved puzzle: the request went on and was allowed; the solve time is kept.
  const solved = one(record({ captchaResponse: { responseCode: 0, solveTimestamp: 1700000000 } }));
  assert.equal(solved.event!.action, 'allow');
  assert.deepEqual(getPath(solved, 'aws.waf.captcha_response'), { response_code: 0, solve_timestamp: '2023-11-14T22:13:20Z' });
});

test('a regional ACL in front of an ALB: newer scheme/host fields build url.full; IPv6 client', () => {
  const e = one(
    record({
      webaclId: 'arn:aws:wafv2:eu-west-1:444455556666:regional/webacl/api-acl/0f0e0d0c',
      httpSourceName: 'ALB',
      httpSourceId: '444455556666-app/api-alb/50dc6c495c0c9188',
      httpRequest: {
        ...BASE.httpRequest,
        clientIp: '2001:DB8:0:0:0:0:0:1',
        scheme: 'HTTPS',
        host: 'api.example.com:8443',
        headers: [],
        requestId: '1-67891233-abcdef012345678912345678',
      },
    }),
  );
  assert.equal(getPath(e, 'source.ip'), '2001:db8::1');
  assert.equal(getPath(e, 'network.type'), 'ipv6');
  assert.equal(getPath(e, 'url.full'), 'https://api.example.com:8443/login?next=%2Fhome&x=1');
  assert.equal(getPath(e, 'cloud.region'), 'eu-west-1');
  assert.equal(getPath(e, 'http.request.id'), '1-67891233-abcdef012345678912345678');
  // The ALB trace id: joins the ALB access log line (trace.id there too).
  assert.equal(getPath(e, 'trace.id'), '67891233abcdef012345678912345678');
});

test('a pretty-printed record (one JSON document) is read whole', () => {
  const r = parseText(ID, JSON.stringify(BASE, null, 2), { document: true });
  assert.deepEqual(r.rejected, []);
  assert.equal(r.events.length, 1);
  assert.equal(detectFormat({ name: 'waf.json', lines: JSON.stringify(BASE, null, 2).split('\n') }).format?.id, ID);
});

test('malformed records are rejected with the reason; blank lines are skipped', () => {
  assert.match(rejectReason('not json'), /expected a WAF log record \(a JSON object\), got 'not json'/);
  assert.match(rejectReason('{"timestamp": 1'), /invalid JSON/);
  assert.match(rejectReason(JSON.stringify(record({ timestamp: undefined }))), /timestamp is missing, expected Unix epoch milliseconds/);
  assert.match(rejectReason(JSON.stringify(record({ timestamp: 1700000000 }))), /timestamp is number 1700000000, expected Unix epoch milliseconds/);
  assert.match(rejectReason(JSON.stringify(record({ timestamp: '2023-11-14' }))), /timestamp is '2023-11-14', expected Unix epoch milliseconds/);
  assert.match(rejectReason(JSON.stringify(record({ webaclId: '' }))), /webaclId is '', expected the web ACL ARN/);
  assert.match(rejectReason(JSON.stringify(record({ action: null }))), /action is null, expected ALLOW, BLOCK/);
  assert.match(rejectReason(JSON.stringify(record({ httpRequest: 'x' }))), /httpRequest is 'x', expected an object/);
  assert.match(rejectReason(JSON.stringify(record({ httpRequest: { ...BASE.httpRequest, clientIp: 'not-an-ip' } }))), /httpRequest.clientIp 'not-an-ip' is not an IP address/);
  const r = parseText(ID, `\n   \n${JSON.stringify(BASE)}\n`);
  assert.equal(r.events.length, 1);
  assert.equal(r.skipped['blank line'], 2);
});

test('records delivered through CloudWatch Logs (subscription envelope) are read one by one', () => {
  const envelope = {
    messageType: 'DATA_MESSAGE', owner: '111122223333', logGroup: 'aws-waf-logs-edge', logStream: 'us-east-1_edge-acl_0', subscriptionFilters: ['all'],
    logEvents: [
      { id: '1', timestamp: BASE.timestamp, message: JSON.stringify(BASE) },
      { id: '2', timestamp: BASE.timestamp, message: JSON.stringify(record({ action: 'BLOCK', terminatingRuleId: 'block-admin' })) },
      { id: '3', timestamp: BASE.timestamp, message: JSON.stringify(record({ httpRequest: null })) },
    ],
  };
  const r = parseText(ID, JSON.stringify(envelope));
  assert.deepEqual(r.events.map((e) => e.event!.action), ['allow', 'block']);
  assert.equal(r.events[0]!.event!.id, one(BASE).event!.id);
  assert.equal(r.rejected.length, 1);
  assert.match(r.rejected[0]!.reason, /httpRequest is null, expected an object/);
});

test('found by fuzzing: rule match details nested 10^5 deep are rejected (writing the event overflowed the stack)', () => {
  const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
  const text = JSON.stringify(record({ terminatingRuleMatchDetails: '__DEEP__' })).replace('"__DEEP__"', deep);
  assert.equal(rejectReason(text), 'JSON nested deeper than 100 levels; a WAF log record is a few levels deep');
});

test('found by fuzzing: an AS number or custom response code that is no whole number in range is not stored (1e32 and 1e308 made the store refuse the chunk)', () => {
  const ok = one(record({ clientAsn: '64496', responseCodeSent: 403 }));
  assert.deepEqual([getPath(ok, 'source.as.number'), getPath(ok, 'http.response.status_code'), getPath(ok, 'aws.waf.response_code_sent')], [64496, 403, 403]);
  for (const [clientAsn, responseCodeSent] of [[1e32, 1e308], ['100000000000000000000000000000000', 2.5], [1.5, -1]]) {
    const e = one(record({ clientAsn, responseCodeSent }));
    assert.deepEqual([getPath(e, 'source.as'), getPath(e, 'http.response'), getPath(e, 'aws.waf.response_code_sent')], [undefined, undefined, undefined], `${clientAsn} ${responseCodeSent}`);
  }
});

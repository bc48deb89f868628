// Benchmark: parsing throughput of aws.waf, aws.alb, aws.s3access and aws.route53resolver, in
// process and on one thread (processChunk, the function every worker runs), output NDJSON.
// Lines are generated from realistic templates with varying addresses, ports, ids and times
// (deterministic PRNG), so the per-line work (splitting, ECS mapping, event.id hashing, user-agent
// and domain caches) is what is measured.
// Usage: npm run build && node bench/aws-formats.js [--lines 200000] [--format aws.alb]
import { processChunk } from '../dist/pipeline/chunk.js';
import { mulberry32, arg } from './lib.js';



const rand = mulberry32(11);
const pick = (n) => Math.floor(rand() * n);
const hex = (n) => Array.from({ length: n }, () => '0123456789abcdef'[pick(16)]).join('');
const ip = () => `${pick(223) + 1}.${pick(256)}.${pick(256)}.${pick(254) + 1}`;
const UAS = [
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36',
  'Mozilla/5.0 (X11; Linux x86_64; rv:127.0) Gecko/20100101 Firefox/127.0',
  'curl/8.5.0',
  'aws-cli/2.15.0 Python/3.11.6 Linux/6.1.0 exe/x86_64.ubuntu.22',
];
const PATHS = ['/', '/login', '/api/v1/items', '/static/app.js', '/wp-login.php', '/api/v1/search'];
const iso = (i) => new Date(Date.UTC(2026, 10, 20) + i * 37).toISOString().replace('Z', '123Z');

const GENERATORS = {
  'aws.waf': (i) =>
    JSON.stringify({
      timestamp: Date.UTC(2026, 10, 20) + i * 37, formatVersion: 1,
      webaclId: 'arn:aws:wafv2:us-east-1:123456789012:global/webacl/edge/0f0e0d0c', terminatingRuleId: i % 10 ? 'Default_Action' : 'AWS-AWSManagedRulesCommonRuleSet',
      terminatingRuleType: i % 10 ? 'REGULAR' : 'MANAGED_RULE_GROUP', action: i % 10 ? 'ALLOW' : 'BLOCK', terminatingRuleMatchDetails: [],
      httpSourceName: 'CF', httpSourceId: 'E2EXAMPLE', ruleGroupList: i % 10 ? [] : [{ ruleGroupId: 'AWS#AWSManagedRulesCommonRuleSet', terminatingRule: { ruleId: 'SizeRestrictions_BODY', action: 'BLOCK' }, nonTerminatingMatchingRules: [], excludedRules: null }],
      rateBasedRuleList: [], nonTerminatingMatchingRules: [], labels: [{ name: 'awswaf:clientip:geo:country:US' }],
      httpRequest: {
        clientIp: ip(), country: 'US', uri: PATHS[pick(PATHS.length)], args: `q=${pick(1000)}`, httpVersion: 'HTTP/2.0', httpMethod: 'GET', requestId: hex(40),
        headers: [{ name: 'host', value: 'app.example.com' }, { name: 'user-agent', value: UAS[pick(UAS.length)] }, { name: 'accept', value: '*/*' }],
      },
      ja3Fingerprint: hex(32),
    }),
  'aws.alb': (i) =>
    `https ${iso(i)} app/shop/50dc6c495c0c9188 ${ip()}:${1024 + pick(60000)} 10.0.1.${pick(250)}:8080 0.001 0.0${pick(90)} 0.000 200 200 ${pick(2000)} ${pick(90000)} ` +
    `"GET https://shop.example.com:443${PATHS[pick(PATHS.length)]}?id=${pick(1e6)} HTTP/1.1" "${UAS[pick(UAS.length)]}" ECDHE-RSA-AES128-GCM-SHA256 TLSv1.2 ` +
    `arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/shop/73e2d6bc24d8a067 "Root=1-67c2dc35-${hex(24)}" "shop.example.com" "-" 0 ${iso(i)} ` +
    `"forward" "-" "-" "10.0.1.15:8080" "200" "-" "-" TID_${hex(32)} "-" "-" "-"`,
  'aws.s3access': (i) =>
    `79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be bucket1 [20/Nov/2026:00:${String(pick(60)).padStart(2, '0')}:${String(pick(60)).padStart(2, '0')} +0000] ${ip()} ` +
    `arn:aws:sts::123456789012:assumed-role/Admin/lee.cole@corp.example ${hex(16).toUpperCase()} REST.GET.OBJECT data/${i}.json "GET /bucket1/data/${i}.json HTTP/1.1" 200 - ${pick(1e5)} ${pick(1e5)} ${pick(90)} ${pick(20)} "-" ` +
    `"${UAS[pick(UAS.length)]}" - ${hex(40)}= SigV4 ECDHE-RSA-AES128-GCM-SHA256 AuthHeader bucket1.s3.us-west-1.amazonaws.com TLSv1.2 - -`,
  'aws.route53resolver': (i) =>
    JSON.stringify({
      version: '1.100000', account_id: '123456789012', region: 'us-east-1', vpc_id: 'vpc-0a1b2c3d', query_timestamp: iso(i).slice(0, 19) + 'Z',
      query_name: `host${pick(500)}.example.com.`, query_type: 'A', query_class: 'IN', rcode: 'NOERROR',
      answers: [{ Rdata: 'edge.example.net.', Type: 'CNAME', Class: 'IN' }, { Rdata: ip(), Type: 'A', Class: 'IN' }],
      srcaddr: `10.0.${pick(16)}.${pick(250)}`, srcport: String(1024 + pick(60000)), transport: 'UDP', srcids: { instance: `i-${hex(17)}` },
    }),
};

const lines = Number(arg('lines', '200000'));
const only = arg('format', undefined);
for (const [formatId, gen] of Object.entries(GENERATORS)) {
  if (only && only !== formatId) continue;
  const text = Array.from({ length: lines }, (_, i) => gen(i)).join('\n');
  const task = { formatId, options: {}, source: 'bench.log', original: false, ingested: '2026-11-20T00:00:00Z', headers: [], text, firstLine: 1, document: false, output: 'ndjson' };
  processChunk({ ...task, text: text.slice(0, 200_000).replace(/\n[^\n]*$/, '') }); // warm-up
  const t0 = process.hrtime.bigint();
  const r = processChunk(task);
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.rejected) throw new Error(`${formatId}: ${r.rejected} rejected, first: ${r.deadLetters[0]?.reason}`);
  console.log(`${formatId.padEnd(20)} ${lines} lines in ${s.toFixed(2)} s: ${Math.round(lines / s).toLocaleString('en-US')} lines/s (one thread)`);
}

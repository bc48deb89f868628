import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { runPipeline, type EventSink } from '../pipeline/run.js';
import { DeadLetterWriter } from '../pipeline/dead-letter.js';
import { needsShared, SHARED_DIR } from '../testing/shared.js';
import { listFormats } from './registry.js';

// Every real sample, read with `--format auto`: each must be recognized as its own format and parse
// with zero rejects. This is the cross-format check: a greedy detector in one format shows up here.
const SAMPLES: [string, string][] = [
  ['aws/cloudfront_logs/test-cloudfront.log', 'aws.cloudfront'],
  ['aws/waf/test-waf.log', 'aws.waf'],
  ['aws/elb_logs/test-alb.log', 'aws.alb'],
  ['aws/route53_resolver_logs/test-route53.log', 'aws.route53resolver'],
  ['aws/s3access/test-s3-server-access.log', 'aws.s3access'],
  ['aws/vpcflow/test-ecs-samples.log', 'aws.vpcflow'],
  ['aws/vpcflow/test-extra-samples.log', 'aws.vpcflow'],
  ['aws/vpcflow/test-tcp-flag-sequence.log', 'aws.vpcflow'],
  ['aws/vpcflow/test-tgw-samples.log', 'aws.vpcflow'],
  ['aws/vpcflow/test-v5-all-fields.log', 'aws.vpcflow'],
  ['aws/vpcflow/test-v8-samples.log', 'aws.vpcflow'],
  ['aws/vpcflow/test-with-message-field.log', 'aws.vpcflow'],
  ['aws/cloudtrail/test-assume-role-email-session-json.log', 'aws.cloudtrail'],
  ['aws/cloudtrail/test-assume-role-json.log', 'aws.cloudtrail'],
  ['aws/cloudtrail/test-cloudtrail-digest-json.log', 'aws.cloudtrail'],
  ['aws/cloudtrail/test-console-login-json.log', 'aws.cloudtrail'],
  ['aws/cloudtrail/test-delete-web-acl-json.log', 'aws.cloudtrail'],
  ['aws/cloudtrail/test-get-caller-identity-json.log', 'aws.cloudtrail'],
  ['aws/cloudtrail/test-get-secret-value-json.log', 'aws.cloudtrail'],
  ['aws/cloudtrail/test-put-object-json.log', 'aws.cloudtrail'],
  ['aws/cloudtrail/test-tls-details-json.log', 'aws.cloudtrail'],
  ['aws/cloudtrail/test-user-authentication.log', 'aws.cloudtrail'],
  ['m365_defender/event/test-device.log', 'microsoft.defender'],
  ['cisco_umbrella/log/test-umbrella-auditlogs.log', 'cisco.umbrella'],
  ['cisco_umbrella/log/test-umbrella-cloudfirewalllogs.log', 'cisco.umbrella'],
  ['cisco_umbrella/log/test-umbrella-dlplogs.log', 'cisco.umbrella'],
  ['cisco_umbrella/log/test-umbrella-dnslogs.log', 'cisco.umbrella'],
  ['cisco_umbrella/log/test-umbrella-intrusionlogs.log', 'cisco.umbrella'],
  ['cisco_umbrella/log/test-umbrella-iplogs.log', 'cisco.umbrella'],
  ['cisco_umbrella/log/test-umbrella-proxylogs.log', 'cisco.umbrella'],
  ['panw/panos/test-panw-panos-threat-sample.excerpt.log', 'panw.panos'],
  ['panw/panos/test-panw-panos-threat-url-no-xff-sample.log', 'panw.panos'],
  ['panw/panos/test-panw-panos-traffic-sample.excerpt.log', 'panw.panos'],
  ['zscaler_zia/dns/test-dns-http-endpoint.log', 'zscaler.zia'],
  ['zscaler_zia/dns/test-dns.log', 'zscaler.zia'],
  ['zscaler_zia/firewall/test-firewall-http-endpoint.log', 'zscaler.zia'],
  ['zscaler_zia/firewall/test-firewall.log', 'zscaler.zia'],
  ['zscaler_zia/web/test-web-http-endpoint.log', 'zscaler.zia'],
  ['zscaler_zia/web/test-web.log', 'zscaler.zia'],
];

const known = new Set(listFormats().map((f) => f.id));

for (const [file, expected] of SAMPLES) {
  const skip = needsShared() || (!known.has(expected) && `format ${expected} is not in the catalog`);
  test(`auto: ${file} is ${expected}, zero rejects`, { skip }, async () => {
    let events = 0;
    const sink: EventSink = {
      output: 'events',
      async write(_s, r) {
        events += r.events;
      },
      async endSource() {},
    };
    const summary = await runPipeline({ inputs: [join(SHARED_DIR!, 'testdata/elastic', file)], format: 'auto', threads: 0, sink, deadLetters: new DeadLetterWriter(undefined) });
    const s = summary.sources[0]!;
    assert.equal(s.format, expected);
    assert.deepEqual(s.errors, []);
    assert.equal(s.rejected, 0);
    assert.ok(events > 0 || (s.skipped['cloudtrail digest'] ?? 0) > 0, 'events or a counted digest');
  });
}

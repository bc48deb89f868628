import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { connect } from 'node:net';
import { once } from 'node:events';
import type { ConfigIssue } from '../intake.js';
import { collectLog } from '../log.js';
import { tempDir } from '../../testing/tmp.js';
import { openTestPipeline, queryStore, until } from '../../testing/collect-e2e.js';
import { csvRecord } from '../../formats/panos/lines.fixture.js';
import { TRAFFIC_FIELDS } from '../../formats/panos/fields-network.js';
import { syslogInputType } from './input-type.js';
import type { SyslogInput } from './input.js';

collectLog.silent = true;

function trafficLine(i: number): string {
  const t = `2026/11/20 08:${String(Math.floor(i / 60) % 60).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}`;
  const rec = csvRecord(TRAFFIC_FIELDS, {
    receive_time: t, serial: '013201001234', type: 'TRAFFIC', subtype: 'end', time_generated: t, src: `10.0.${i % 250}.${(i % 200) + 1}`, dst: '93.184.216.34',
    rule: 'allow-web', app: 'ssl', proto: 'tcp', action: 'allow', sport: 1024 + (i % 60000), dport: 443, seqno: 7000000 + i, sessionid: 100000 + i,
  });
  return `<14>Nov 20 08:00:00 fw01-edge ${rec}`;
}

async function run(db: string, pipelineOf: { pipeline: { counts: { records: number } } }, input: SyslogInput, send: (input: SyslogInput) => Promise<void>, expectRecords: number): Promise<void> {
  void db;
  await send(input);
  await until(`${expectRecords} records`, () => pipelineOf.pipeline.counts.records >= expectRecords);
}

test('syslog → real pipeline → DuckDB: TCP octet counting + UDP, routed, stored once, bad and unrouted messages dead-lettered', async () => {
  const dir = tempDir();
  const count = 1500;
  const wire = Array.from({ length: count }, (_, i) => trafficLine(i)).map((m) => `${Buffer.byteLength(m)} ${m}`).join('');
  const make = (): SyslogInput => {
    const issues: ConfigIssue[] = [];
    const input = syslogInputType.create({ type: 'syslog', name: 'edge', tcp: 0, udp: 0, batch_ms: 50, routes: [{ hostname: 'fw*', format: 'panw.panos' }] }, 'inputs[0]', issues);
    assert.deepEqual(issues, []);
    return input as SyslogInput;
  };
  const send = async (input: SyslogInput, extra: boolean): Promise<void> => {
    const socket = connect(input.addresses.tcp!.port, '127.0.0.1');
    await once(socket, 'connect');
    socket.end(extra ? `${wire}\n<14>Nov 20 08:00:00 fw01-edge 1,2026/11/20 08:00:00,0123,TRAFFIC,end,truncated\n` : wire);
    await once(socket, 'close');
    if (extra) {
      const udp = createSocket('udp4');
      udp.send('<13>Nov 20 08:00:00 printer lpd: paper jam', input.addresses.udp!.port, '127.0.0.1');
      await new Promise((r) => setTimeout(r, 50));
      udp.close();
    }
  };

  const first = await openTestPipeline(dir, 'syslog');
  let input = make();
  await input.start(first.pipeline);
  await run(first.db, first, input, (i) => send(i, true), count + 1);
  await input.stop();
  await first.pipeline.close();
  assert.equal(input.counts.unrouted, 1);
  const [[stored, host]] = (await queryStore(first.db, 'SELECT count(*), min(observer_hostname) FROM events_panw_panos')) as [[bigint, string]];
  assert.equal(Number(stored), count);
  assert.equal(host, 'fw01-edge', 'the syslog header reached the PAN-OS parser');
  const dead = (await queryStore(first.db, 'SELECT source, line, reason, record FROM dead_letters ORDER BY reason')) as [string, number, string, string][];
  assert.equal(dead.length, 2);
  const unrouted = dead.find((d) => d[0].startsWith('syslog+udp://'))!;
  assert.match(unrouted[2], /matched none of the 1 routes \(hostname 'printer', app-name 'lpd'\)/);
  assert.equal(unrouted[3], '<13>Nov 20 08:00:00 printer lpd: paper jam');
  const bad = dead.find((d) => d[0].startsWith('syslog+tcp://'))!;
  assert.equal(Number(bad[1]), count + 1, 'the rejected message is named by its position on the connection');
  assert.match(bad[3], /truncated$/);

  // The same messages again (a sender replaying after a reconnect): nothing stored twice.
  const second = await openTestPipeline(dir, 'syslog');
  input = make();
  await input.start(second.pipeline);
  await run(second.db, second, input, (i) => send(i, false), count);
  await input.stop();
  await second.pipeline.close();
  assert.equal(second.pipeline.counts.duplicates, count);
  const [[again]] = (await queryStore(second.db, 'SELECT count(*) FROM events_panw_panos')) as [[bigint]];
  assert.equal(Number(again), count);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RowEncoder } from './row-encoder.js';
import { EXTRA_COLUMN, type Column } from './schema.js';

test('rows: column order, NULL vs empty, quoting, lists, extra', () => {
  const cols: Column[] = [
    { name: 'event_id', path: 'event.id', type: 'keyword' },
    { name: 'source_port', path: 'source.port', type: 'long' },
    { name: 'related_ip', path: 'related.ip', type: 'keyword[]' },
    { name: 'message', path: 'message', type: 'text' },
    { name: 'empty', path: 'labels.empty', type: 'keyword' },
    EXTRA_COLUMN,
  ];
  const enc = new RowEncoder(cols);
  const row = enc.encode({ event: { id: 'abc' }, source: { port: 443 }, related: { ip: ['10.0.0.1'] }, message: 'tab\there "quoted"', labels: { empty: '' }, vendor: { x: 1 } });
  assert.equal(row, "abc\t443\t['10.0.0.1']\t" + '"tab\there ""quoted"""\t""\t"{""vendor.x"":1}"');
  assert.equal(enc.encode({ event: { id: 'x' } }), 'x\t\t\t\t\t');
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { EcsEvent } from '../../ecs/event.js';
import { FIELD_DROPPED_TAG, FieldErrors, MAX_FIELD_ERRORS, noteDropped } from './field-errors.js';

test('FieldErrors: a note with the fields, the reasons, the tag and the raw record', () => {
  const errors = new FieldErrors();
  const event = { event: { kind: 'event' }, tags: ['forwarded'] } as EcsEvent;
  noteDropped(event, errors, 'raw');
  assert.equal(JSON.stringify(event), '{"event":{"kind":"event"},"tags":["forwarded"]}', 'nothing dropped: nothing written');
  assert.equal(errors.drop('time-taken', "time-taken 'abc' is not a number"), undefined);
  errors.drop('c-port', "c-port '-1' is not a port");
  noteDropped(event, errors, 'raw');
  assert.deepEqual(event.tags, ['forwarded', FIELD_DROPPED_TAG]);
  assert.deepEqual(event.packettrail, {
    dropped_fields: ['time-taken', 'c-port'],
    field_errors: ["time-taken 'abc' is not a number", "c-port '-1' is not a port"],
  });
  assert.equal(event.event?.original, 'raw');
  // An original already kept (--original) is not replaced.
  const kept: EcsEvent = { event: { original: 'as read' } };
  noteDropped(kept, errors, 'other');
  assert.equal(kept.event?.original, 'as read');
  errors.clear();
  assert.equal(errors.count, 0);
  assert.equal(errors.note(), undefined);
});

test('FieldErrors: bounded per record, the rest counted', () => {
  const errors = new FieldErrors();
  for (let i = 0; i < MAX_FIELD_ERRORS + 3; i++) errors.drop(`f${i}`, `f${i} is bad`);
  assert.equal(errors.count, MAX_FIELD_ERRORS + 3);
  const note = errors.note()!;
  assert.equal(note.dropped_fields.length, MAX_FIELD_ERRORS);
  assert.equal(note.field_errors.at(-1), '… and 3 more fields');
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildProgram } from './program.js';

test('top-level help comes from the command index, and the loaded commands list exactly the same', async () => {
  const light = await buildProgram(['node', 'packettrail', '--help']);
  // A name that is no command loads them all (commander suggests from their names).
  const full = await buildProgram(['node', 'packettrail', 'no-such-command']);
  assert.ok(full.commands.length > 10 && full.commands.some((c) => c.options.length > 0), 'the real commands, with their options');
  assert.ok(light.commands.every((c) => c.options.length === 0), 'nothing loaded for the listing');
  assert.equal(light.helpInformation(), full.helpInformation());
  assert.equal((await buildProgram(['node', 'packettrail', 'help'])).helpInformation(), full.helpInformation());
  assert.equal((await buildProgram(['node', 'packettrail'])).helpInformation(), full.helpInformation());
});

test('a named command loads only that command', async () => {
  const program = await buildProgram(['node', 'packettrail', 'formats']);
  assert.deepEqual(program.commands.map((c) => c.name()), ['formats']);
});

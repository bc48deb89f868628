import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DetectionStage } from '../stage.js';
import { engineFor, makeSpec } from '../spec.js';
import { getPath, type EcsEvent } from '../../ecs/event.js';
import { runPipeline, type EventSink } from '../../pipeline/run.js';
import { DeadLetterWriter } from '../../pipeline/dead-letter.js';
import { needsShared, SHARED_DIR } from '../../testing/shared.js';
import { extractZip, needsUnzip } from '../../testing/zip.js';
import { MemoryAlertSink } from './memory-sink.js';

// SigmaHQ rules over every OTRF dataset (real NXLog exports from attack simulations on several
// hosts): suppression folds repeats on one entity only. Each rule below matches on two or more
// hosts of one dataset within one suppression window; the logoff rule matches many accounts on
// one domain controller.
const OTRF = SHARED_DIR ? join(SHARED_DIR, 'testdata', 'otrf') : '';
const SIGMA = SHARED_DIR ? join(SHARED_DIR, 'sigma', 'rules', 'windows') : '';
const RULES = [
  'builtin/security/win_security_user_logoff.yml',
  'pipe_created/pipe_created_powershell_execution_pipe.yml',
  'powershell/powershell_script/posh_ps_amsi_bypass_pattern_nov22.yml',
  'powershell/powershell_script/posh_ps_susp_invocation_specific.yml',
  'process_creation/proc_creation_win_susp_local_system_owner_account_discovery.yml',
];
const skip =
  needsShared() || needsUnzip() || (!existsSync(OTRF) && 'no OTRF datasets in ../shared/testdata/otrf; skipped') || (!RULES.every((r) => existsSync(join(SIGMA, r))) && 'SigmaHQ rules missing; skipped');


const host = (e: EcsEvent) => String(getPath(e, 'host.name'));
const target = (e: EcsEvent) => String(getPath(e, 'winlog.event_data.TargetUserName'));

test('OTRF: a SigmaHQ rule matching on several hosts (or accounts) gives an alert for each, never one folded alert', { skip }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pt-otrf-alerts-'));
  try {
    const files = readdirSync(OTRF)
      .filter((f) => f.endsWith('.zip'))
      .sort()
      .flatMap((z) => extractZip(join(OTRF, z), join(dir, z)));
    const spec = makeSpec({ rules: RULES.map((r) => join(SIGMA, r)), builtin: false });
    const engine = engineFor(spec);
    assert.deepEqual(engine.errors, []);
    const sink = new MemoryAlertSink('collect');
    const stage = new DetectionStage(engine.rules, [sink]);
    // What the rules matched, seen beside the stage: entity → match count, per rule.
    const matched = new Map<string, Set<string>>();
    const inner: EventSink = {
      output: 'none',
      async write(_s, r) {
        for (const m of r.matches ?? []) {
          const set = matched.get(m.ruleId) ?? new Set<string>();
          set.add(`${m.event.event?.dataset}|${host(m.event)}|${target(m.event)}`);
          matched.set(m.ruleId, set);
        }
      },
      async endSource() {},
    };
    const summary = await runPipeline({ inputs: files, format: 'auto', threads: 0, sink: stage.wrap(inner), deadLetters: new DeadLetterWriter(undefined), detection: spec });
    assert.equal(
      summary.sources.reduce((n, s) => n + s.rejected, 0),
      0,
    );
    const stats = await stage.finish();
    const alerted = new Map<string, Set<string>>();
    for (const a of sink.alerts) {
      const set = alerted.get(a.rule.id) ?? new Set<string>();
      for (const e of a.events) set.add(`${e.event?.dataset}|${host(e)}|${target(e)}`);
      alerted.set(a.rule.id, set);
    }
    assert.equal(matched.size, RULES.length, 'every rule matches somewhere');
    for (const [rule, entities] of matched) assert.deepEqual([...(alerted.get(rule) ?? [])].sort(), [...entities].sort(), `rule ${rule}`);
    const hostsPerRule = [...matched.values()].map((s) => new Set([...s].map((k) => k.split('|')[1])).size);
    assert.ok(hostsPerRule.filter((n) => n > 1).length >= 4, `several rules match on several hosts: ${hostsPerRule.join(', ')}`);
    assert.ok(stats.suppressed > 0, 'repeats on one entity are still folded');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

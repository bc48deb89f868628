import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { CliError, EXIT, EXIT_CODES_HELP } from '../cli/exit-codes.js';
import { formatCount, renderTable, terminalSafe } from '../cli/text.js';
import { builtinRulesDir } from '../detect/spec.js';
import { createMatcher, loadMappings, loadRules, MappingError, type Mappings, type RuleSet, type SigmaMatcher } from '../detect/sigma/index.js';
import { showLoadError } from '../detect/sigma/engine.js';
import { COMMAND_INDEX } from '../cli/command-index.js';

interface RulesOptions {
  mappings?: string[];
  placeholder?: string[];
  json?: boolean;
  problems?: boolean;
  rules?: string[];
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

function placeholdersOf(list: string[] = []): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const p of list) {
    const eq = p.indexOf('=');
    if (eq <= 0) throw new CliError(`--placeholder must be name=value, got '${p}'`);
    (out[p.slice(0, eq)] ??= []).push(p.slice(eq + 1));
  }
  return out;
}

function mappingsOf(files: string[] = []): Mappings {
  for (const f of files) if (!existsSync(f)) throw new CliError(`--mappings file ${f} does not exist`);
  try {
    return loadMappings(files);
  } catch (e) {
    if (e instanceof MappingError) throw new CliError(e.message);
    throw e;
  }
}

function load(paths: string[], o: RulesOptions): { rs: RuleSet; matcher: SigmaMatcher } {
  for (const p of paths) if (!existsSync(p)) throw new CliError(`${p} does not exist`);
  const rs = loadRules(paths, { placeholders: placeholdersOf(o.placeholder) });
  return { rs, matcher: createMatcher(rs, undefined, { mappings: mappingsOf(o.mappings) }) };
}

function formatsByRule(matcher: SigmaMatcher): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const [format, rules] of matcher.rulesByFormat) for (const r of rules) out.set(r.ruleId, [...(out.get(r.ruleId) ?? []), format]);
  return out;
}

/** Output piped into `head` and closed early is not an error. */
function quietOnClosedPipe(): void {
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? EXIT.OK);
    throw e;
  });
}

function defaultPaths(paths: string[]): string[] {
  if (paths.length) return paths;
  const builtin = builtinRulesDir();
  if (!existsSync(builtin)) throw new CliError('give rule files or directories (there are no built-in rules in this installation)');
  return [builtin];
}

export function registerRules(program: Command): void {
  const rules = program.command('rules').description(COMMAND_INDEX.rules.description).addHelpText('after', `\n${EXIT_CODES_HELP}`);
  rules
    .command('lint')
    .exitOverride()
    .description('Load Sigma rules and report each one as accepted or rejected, with the file, line and reason.')
    .argument('[paths...]', 'rule files or directories (default: the built-in rules)')
    .option('--mappings <file>', 'extra logsource/field mapping file (repeatable)', collect)
    .option('--placeholder <name=value>', 'value of a %placeholder% for the expand modifier (repeatable)', collect)
    .option('--problems', 'print only rejected rules and warnings, then the totals')
    .option('--json', 'one JSON object per rule and finding (NDJSON), then the totals')
    .addHelpText('after', `\nExamples:\n  packettrail rules lint ../sigma/rules\n  packettrail rules lint --problems --placeholder admin_users=alice my-rules/\n\nExit code 1 when a rule is rejected.\n${EXIT_CODES_HELP}`)
    .action((paths: string[], o: RulesOptions) => {
      quietOnClosedPipe();
      const { rs, matcher } = load(defaultPaths(paths), o);
      const formats = formatsByRule(matcher);
      const out = (s: string) => process.stdout.write(`${s}\n`);
      if (!o.problems) {
        for (const r of [...rs.rules, ...rs.correlations]) {
          const f = r.type === 'rule' ? formats.get(r.ruleId) ?? [] : ['(correlation)'];
          if (o.json) out(JSON.stringify({ status: 'ok', path: r.meta.path, line: r.line, id: r.ruleId, title: r.meta.title, formats: f }));
          else out(terminalSafe(`ok      ${r.meta.path}:${r.line}  ${r.meta.title}  → ${f.length ? f.join(', ') : 'no format reads this logsource'}`));
        }
      }
      for (const e of rs.errors) out(o.json ? JSON.stringify({ status: 'rejected', ...e }) : terminalSafe(`reject  ${showLoadError(e)}`));
      for (const w of rs.warnings) out(o.json ? JSON.stringify({ status: 'warning', ...w }) : terminalSafe(`warning ${showLoadError(w)}`));
      for (const s of matcher.skipped) {
        // Formats nothing reads are summed in the totals; placeholders were already reported.
        if (s.reason.startsWith('no loaded format') || s.reason.startsWith('unresolved placeholders')) continue;
        const w = { path: s.rule.meta.path ?? '', line: s.rule.line, rule: s.rule.meta.title, message: s.reason };
        out(o.json ? JSON.stringify({ status: 'warning', ...w }) : terminalSafe(`warning ${showLoadError(w)}`));
      }
      const total = rs.rules.length + rs.correlations.length + rs.errors.length;
      const loaded = rs.rules.length + rs.correlations.length;
      const pct = total ? ((100 * loaded) / total).toFixed(2) : '100.00';
      const routed = formats.size;
      if (o.json) out(JSON.stringify({ status: 'totals', files: rs.files, loaded, rejected: rs.errors.length, warnings: rs.warnings.length, correlations: rs.correlations.length, filters: rs.filters.length, routed }));
      else {
        out(
          `\n${formatCount(rs.files)} files: ${formatCount(loaded)} rules loaded, ${formatCount(rs.errors.length)} rejected (${pct}% loaded), ` +
            `${formatCount(rs.warnings.length)} warnings; ${formatCount(rs.correlations.length)} correlations, ${formatCount(rs.filters.length)} filters; ` +
            `${formatCount(routed)} rules apply to a packettrail format`,
        );
      }
      process.exitCode = rs.errors.length ? EXIT.REJECTED : EXIT.OK;
    });
  rules
    .command('list')
    .exitOverride()
    .description('List loaded Sigma rules with the log formats each applies to.')
    .option('--rules <path>', 'rule file or directory (repeatable; default: the built-in rules)', collect)
    .option('--mappings <file>', 'extra logsource/field mapping file (repeatable)', collect)
    .option('--placeholder <name=value>', 'value of a %placeholder% for the expand modifier (repeatable)', collect)
    .option('--json', 'one JSON object per rule (NDJSON)')
    .addHelpText('after', `\nExamples:\n  packettrail rules list --rules ../sigma/rules/web\n  packettrail rules list --rules my-rules/ --json\n${EXIT_CODES_HELP}`)
    .action((o: RulesOptions) => {
      quietOnClosedPipe();
      const { rs, matcher } = load(defaultPaths(o.rules ?? []), o);
      const formats = formatsByRule(matcher);
      if (o.json) {
        for (const r of rs.rules) {
          process.stdout.write(
            `${JSON.stringify({ id: r.ruleId, title: r.meta.title, level: r.meta.level, status: r.meta.status, author: r.meta.author, link: r.meta.link, license: r.meta.license, logsource: r.logsource, formats: formats.get(r.ruleId) ?? [], alert: r.alert, path: r.meta.path })}\n`,
          );
        }
        for (const c of rs.correlations) {
          process.stdout.write(`${JSON.stringify({ id: c.ruleId, title: c.meta.title, level: c.meta.level, correlation: c.correlationType, rules: c.rules, group_by: c.groupBy, timespan_ms: c.timespanMs, alert: c.alert, path: c.meta.path })}\n`);
        }
        return;
      }
      // Titles first, as every rule table shows them; the id (for --json, the alerts table) last.
      const titles = new Map(rs.rules.map((r) => [r.ruleId, r.meta.title]));
      const rows = [
        ...rs.rules.map((r) => [r.meta.title, r.meta.level, (formats.get(r.ruleId) ?? []).join(', ') || '-', r.ruleId]),
        ...rs.correlations.map((c) => [c.meta.title, c.meta.level, `correlation ${c.correlationType} of ${c.rules.map((id) => titles.get(id) ?? id).join(', ')}`, c.ruleId]),
      ];
      process.stdout.write(`${renderTable(['title', 'level', 'formats', 'id'], rows, 70)}\n\n${formatCount(rs.rules.length)} rules, ${formatCount(rs.correlations.length)} correlations, ${formatCount(formats.size)} apply to a packettrail format; ${formatCount(rs.errors.length)} rejected (packettrail rules lint shows why)\n`);
    });
}

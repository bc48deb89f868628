import { existsSync, readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { CliError, EXIT, EXIT_CODES_HELP } from '../cli/exit-codes.js';
import { terminalSafe } from '../cli/text.js';
import { parsePostureInputs, postureReport, problemText, type InputProblem } from '../insights/posture/index.js';
import { renderReport } from '../insights/render.js';
import { COMMAND_INDEX } from '../cli/command-index.js';

interface PostureCliOptions {
  json?: boolean;
}

/** Reads the files (`-` is stdin); a file that cannot be read is a problem, not a crash. */
function readInputs(files: readonly string[]): { inputs: { file: string; text: string }[]; problems: InputProblem[] } {
  const inputs: { file: string; text: string }[] = [];
  const problems: InputProblem[] = [];
  for (const file of files) {
    try {
      inputs.push({ file, text: readFileSync(file === '-' ? 0 : file, 'utf8') });
    } catch (e) {
      problems.push({ file, message: `cannot read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}` });
    }
  }
  return { inputs, problems };
}

export function runPosture(files: readonly string[], o: PostureCliOptions): { out: string; err: string; code: number } {
  const started = Date.now();
  // A file that does not exist is a usage error, as for every command that reads inputs: nothing is assessed.
  const missing = files.filter((f) => f !== '-' && !existsSync(f));
  if (missing.length) throw new CliError(terminalSafe(`no such input: ${missing.map((f) => `${f} (no such file or directory)`).join(', ')}; nothing was read`));
  const { inputs, problems: unreadable } = readInputs(files);
  const parsed = parsePostureInputs(inputs);
  const problems = [...unreadable, ...parsed.problems];
  const report = postureReport({ ...parsed, problems }, started);
  // Nothing could be assessed: the problems are the whole answer (an empty report would read as "no findings").
  const nothing = !parsed.trails.length && problems.length > 0;
  const out = o.json ? JSON.stringify({ ...report, problems }, null, 2) + '\n' : nothing ? '' : renderReport(report);
  const err = problems.map((p) => `packettrail posture: ${terminalSafe(problemText(p))}\n`).join('');
  return { out, err, code: problems.length ? EXIT.REJECTED : EXIT.OK };
}

export function registerPosture(program: Command): void {
  program
    .command('posture')
    .argument('<files...>', 'JSON printed by the AWS CLI (- for stdin)')
    .description(COMMAND_INDEX.posture.description)
    .option('--json', 'print the report as JSON')
    .addHelpText(
      'after',
      `
Checks per trail: logging on, multi-region, global service events, log file validation, KMS encryption,
organization trail, delivery to S3 and to CloudWatch Logs (and their errors), management events, S3 and
Lambda data events (EventSelectors and AdvancedEventSelectors). Files may come in any order; get-trail-status
output, which carries no trail name, is matched by a "Name"/"TrailARN" key, by the trail name in the file
name, or to the only trail.

Examples:
  aws cloudtrail describe-trails > trails.json
  aws cloudtrail get-trail-status --name org-trail > status-org-trail.json
  aws cloudtrail get-event-selectors --trail-name org-trail > selectors-org-trail.json
  packettrail posture trails.json status-org-trail.json selectors-org-trail.json
${EXIT_CODES_HELP}`,
    )
    .action((files: string[], o: PostureCliOptions) => {
      const { out, err, code } = runPosture(files, o);
      process.stdout.write(out);
      process.stderr.write(err);
      process.exitCode = code;
    });
}

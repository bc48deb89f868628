import { CliError, EXIT } from '../cli/exit-codes.js';
import { terminalSafe } from '../cli/text.js';
import { expandInputs, type ExpandedInputs } from '../sources/inputs.js';
import { isS3Url } from '../sources/s3-url.js';

/**
 * Expands the local inputs before anything is opened or created: an argument that matches no file
 * (a typo, a pattern that matches nothing, an empty directory) is a usage error (exit 2), and no
 * database or dead-letter file is made for a run that would read nothing it was asked to. The
 * expansion is handed to the run, which does not walk the directories again.
 */
export async function checkedInputs(inputs: readonly string[]): Promise<ExpandedInputs> {
  const expanded = await expandInputs(inputs.filter((a) => !isS3Url(a)));
  if (expanded.missing.length) {
    const list = expanded.missing.map((m) => `${m.arg} (${m.reason})`).join(', ');
    throw new CliError(terminalSafe(`no such input: ${list}; nothing was read`), EXIT.USAGE);
  }
  return expanded;
}

/**
 * A secret typed at the terminal without echo, or read as the first line of stdin when stdin is no
 * terminal (`printf '%s\n' "$PW" | packettrail users add …`). Secrets never come from the command
 * line, where `ps` and shell history would show them.
 */
export const MAX_SECRET_INPUT = 4096;

export async function readSecret(prompt: string, stdin: NodeJS.ReadStream = process.stdin, out: NodeJS.WriteStream = process.stderr): Promise<string> {
  if (!stdin.isTTY) return firstLine(stdin);
  out.write(prompt);
  stdin.setRawMode(true);
  stdin.resume();
  stdin.setEncoding('utf8');
  try {
    return await new Promise<string>((resolve, reject) => {
      let typed = '';
      const onData = (chunk: string) => {
        for (const ch of chunk) {
          if (ch === '\r' || ch === '\n') {
            stdin.off('data', onData);
            out.write('\n');
            return resolve(typed);
          }
          if (ch === '\u0003') {
            stdin.off('data', onData);
            out.write('\n');
            return reject(new Error('interrupted'));
          }
          if (ch === '\u007f' || ch === '\b') typed = typed.slice(0, -1);
          else if (typed.length < MAX_SECRET_INPUT) typed += ch;
        }
      };
      stdin.on('data', onData);
    });
  } finally {
    stdin.setRawMode(false);
    stdin.pause();
  }
}

function firstLine(stdin: NodeJS.ReadStream): Promise<string> {
  return new Promise((resolve, reject) => {
    let data = '';
    const done = () => {
      stdin.off('data', onData);
      stdin.pause();
      resolve(data.split(/\r?\n/, 1)[0]!);
    };
    const onData = (chunk: Buffer | string) => {
      data += chunk.toString();
      if (data.includes('\n') || data.length > MAX_SECRET_INPUT) done();
    };
    stdin.on('data', onData);
    stdin.once('end', done);
    stdin.once('error', reject);
  });
}

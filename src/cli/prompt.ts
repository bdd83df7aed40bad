import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';

/**
 * Reads a password: at a terminal, asked for without echo; otherwise the first line of standard
 * input (for scripts: `echo "$PW" | continuity user create …`).
 */
export async function readPassword(question: string): Promise<string> {
  if (!process.stdin.isTTY) {
    let text = '';
    for await (const chunk of process.stdin) text += String(chunk);
    return text.split(/\r?\n/)[0] ?? '';
  }
  let muted = false;
  const output = new Writable({
    write(chunk, _encoding, done) {
      if (!muted) process.stderr.write(chunk as Buffer);
      done();
    },
  });
  const rl = createInterface({ input: process.stdin, output, terminal: true });
  try {
    const answer = new Promise<string>((resolve) => {
      rl.question(question, resolve);
    });
    muted = true;
    const password = await answer;
    process.stderr.write('\n');
    return password;
  } finally {
    rl.close();
  }
}

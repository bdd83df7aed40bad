import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { join } from 'node:path';

/* The real `continuity` command in a child process, as an operator or a service manager runs it. */

const bin = join(import.meta.dirname, '../../bin/continuity.js');

export interface Child {
  process: ChildProcessWithoutNullStreams;
  pid: number;
  /** Everything it wrote so far, standard output and error together. */
  output(): string;
  /** Resolves once the output matches `pattern` (its match), rejects if it exits first. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpExecArray>;
  /** Resolves with the exit code (or the signal's name) once it has exited. */
  exited: Promise<number | string>;
  /** SIGKILL: no handler runs, nothing is flushed or closed. Resolves once it is gone. */
  kill(): Promise<void>;
}

export function start(args: string[], env: NodeJS.ProcessEnv): Child {
  const child = spawn(process.execPath, [bin, ...args], { env });
  if (child.pid === undefined) throw new Error(`could not start continuity ${args.join(' ')}`);
  let output = '';
  const listeners = new Set<() => void>();
  const read = (chunk: Buffer) => {
    output += chunk.toString();
    for (const listener of listeners) listener();
  };
  child.stdout.on('data', read);
  child.stderr.on('data', read);
  let done = false;
  const exited = new Promise<number | string>((resolve) => {
    child.on('exit', (code, signal) => {
      done = true;
      for (const listener of listeners) listener();
      resolve(code ?? signal ?? 'unknown');
    });
  });
  return {
    process: child,
    pid: child.pid,
    output: () => output,
    exited,
    waitFor(pattern, timeoutMs = 120_000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          finish();
          reject(new Error(`no ${String(pattern)} within ${timeoutMs} ms; output:\n${output}`));
        }, timeoutMs);
        const finish = () => {
          clearTimeout(timer);
          listeners.delete(check);
        };
        const check = () => {
          const match = pattern.exec(output);
          if (match) {
            finish();
            resolve(match);
          } else if (done) {
            finish();
            reject(new Error(`exited before ${String(pattern)}; output:\n${output}`));
          }
        };
        listeners.add(check);
        check();
      });
    },
    async kill() {
      if (!done) child.kill('SIGKILL');
      await exited;
    },
  };
}

/** Runs a command to its end; resolves with its exit code and output. */
export async function run(
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<{ code: number | string; output: string; stdout: string }> {
  const child = start(args, env);
  let stdout = '';
  child.process.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  const code = await child.exited;
  return { code, output: child.output(), stdout };
}

/** `continuity serve`, ready to take requests at `url`. */
export async function serve(
  env: NodeJS.ProcessEnv,
  args: string[] = [],
): Promise<Child & { url: string }> {
  const child = start(['serve', ...args], { ...env, LOG_LEVEL: 'info', PORT: '0' });
  try {
    const [, url] = await child.waitFor(/listening on (http:\/\/\S+)/);
    return { ...child, url: url ?? '' };
  } catch (error) {
    await child.kill();
    throw error;
  }
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { connectDatabase } from '../db/connect.ts';

/*
 * SIGTERM, as a service manager sends it: the server stops taking requests, finishes the one in
 * flight (a re-match, which writes), closes the embedded database cleanly and exits 0; the next
 * start finds the work done and the audit chain whole.
 */

const dataDir = mkdtempSync(join(tmpdir(), 'continuity-shutdown-'));
const bin = join(import.meta.dirname, '../../bin/continuity.js');
const env = { ...process.env, DATA_DIR: dataDir, DATABASE_URL: '', LOG_LEVEL: 'info', PORT: '0' };

/** Starts `continuity serve --seed-demo`; resolves with its address and the admin's sign-in. */
function serve(): Promise<{
  child: ChildProcessWithoutNullStreams;
  url: string;
  admin: { email: string; password: string };
  output: () => string;
}> {
  const child = spawn(process.execPath, [bin, 'serve', '--seed-demo'], { env });
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the server did not start:\n${output}`));
    }, 120_000);
    const read = (chunk: Buffer) => {
      output += chunk.toString();
      const url = /listening on (http:\/\/\S+)/.exec(output)?.[1];
      const admin = /^\s+admin\s+(\S+)\s+(\S+)$/m.exec(output);
      if (url && admin?.[1] && admin[2]) {
        clearTimeout(timer);
        resolve({
          child,
          url,
          admin: { email: admin[1], password: admin[2] },
          output: () => output,
        });
      }
    };
    child.stdout.on('data', read);
    child.stderr.on('data', read);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the server exited (${String(code)}) before it was ready:\n${output}`));
    });
  });
}

function run(args: string[]) {
  const result = spawnSync(process.execPath, [bin, ...args], {
    encoding: 'utf8',
    env: { ...env, LOG_LEVEL: 'silent' },
    timeout: 120_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('graceful shutdown', () => {
  afterAll(() => {
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('finishes the request in flight, refuses new ones, closes the database and exits 0', async () => {
    const { child, url, admin, output } = await serve();
    const exited = new Promise<number | null>((resolve) => {
      child.on('exit', (code) => {
        resolve(code);
      });
    });

    const login = await fetch(`${url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(admin),
    });
    expect(login.status).toBe(200);
    const { csrfToken } = (await login.json()) as { csrfToken: string };
    const headers = {
      cookie: (login.headers.get('set-cookie') ?? '').split(';')[0] ?? '',
      'x-csrf-token': csrfToken,
      'content-type': 'application/json',
    };
    const list = await fetch(`${url}/api/v1/disruptions?status=draft`, { headers });
    const [strike] = ((await list.json()) as { items: { id: string }[] }).items;
    if (!strike) throw new Error('the demo has a draft strike');
    const apply = await fetch(`${url}/api/v1/disruptions/${strike.id}/apply`, {
      method: 'POST',
      headers,
      body: '{}',
    });
    expect(apply.status).toBe(200);

    // A re-match (a second or so of work, then a write) is in flight when SIGTERM comes.
    let answeredAt = 0;
    const rematch = fetch(`${url}/api/v1/disruptions/${strike.id}/rematch`, {
      method: 'POST',
      headers,
      body: '{}',
    }).then(async (response) => {
      answeredAt = Date.now();
      return { status: response.status, body: (await response.json()) as { id?: string } };
    });
    await new Promise((resolve) => setTimeout(resolve, 150));
    const signalledAt = Date.now();
    child.kill('SIGTERM');

    const done = await rematch;
    expect(answeredAt, 'the request was still in flight when the signal came').toBeGreaterThan(
      signalledAt,
    );
    expect(done.status).toBe(201);
    const runId = done.body.id;
    expect(runId).toMatch(/^[0-9a-f-]{36}$/);

    // No new request is taken once the server has taken the signal (it may have been busy with
    // the re-match when the signal came): a new connection is refused, and a request on the open
    // keep-alive connection gets 503.
    for (let waited = 0; !/shutting down/.test(output()); waited += 20) {
      if (waited > 10_000) throw new Error(`no sign of shutting down:\n${output()}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const late = await fetch(`${url}/healthz`, { headers }).then(
      (response) => response.status,
      () => 'refused',
    );
    expect([503, 'refused']).toContain(late);
    expect(await exited).toBe(0);
    expect(existsSync(join(dataDir, 'continuity.lock'))).toBe(false);

    // The next start finds the plan written and the audit chain whole.
    const handle = await connectDatabase({ engine: 'pglite', dataDir });
    try {
      const runs = await handle.db
        .selectFrom('match_run')
        .select('id')
        .where('id', '=', runId ?? '')
        .execute();
      expect(runs).toHaveLength(1);
    } finally {
      await handle.close();
    }
    const verified = run(['audit', 'verify', '--json']);
    expect(verified.status).toBe(0);
    expect(JSON.parse(verified.stdout)).toMatchObject({ intact: true });
  }, 240_000);
});

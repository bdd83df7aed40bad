import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { connectDatabase } from '../db/connect.ts';

/* The `continuity` command as an operator runs it: a real process on a real embedded database. */

const dataDir = mkdtempSync(join(tmpdir(), 'continuity-cli-'));
const bin = join(import.meta.dirname, '../../bin/continuity.js');

function run(args: string[], input = '') {
  const result = spawnSync(process.execPath, [bin, ...args], {
    input,
    encoding: 'utf8',
    env: { ...process.env, DATA_DIR: dataDir, DATABASE_URL: '', LOG_LEVEL: 'silent' },
    timeout: 120_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('the continuity command', () => {
  afterAll(() => {
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('migrates, creates a user from standard input, counts rows and verifies the audit chain', () => {
    expect(run(['migrate', '--json']).stdout).toContain('0002-auth-audit');

    const created = run(
      ['user', 'create', '--email', 'Ops@Example.org', '--role', 'admin', '--json'],
      'a long enough passphrase\n',
    );
    expect(created.status).toBe(0);
    expect(JSON.parse(created.stdout)).toMatchObject({ email: 'ops@example.org', role: 'admin' });

    const weak = run(
      ['user', 'create', '--email', 'weak@example.org', '--role', 'auditor'],
      'short\n',
    );
    expect(weak.status).toBe(1);
    expect(weak.stderr).toMatch(/^continuity: .*password/);

    const stats = run(['stats', '--json']);
    expect(stats.status).toBe(0);
    expect(JSON.parse(stats.stdout)).toMatchObject({ patient: 0, service_area: 0 });

    const verified = run(['audit', 'verify', '--json']);
    expect(verified.status).toBe(0);
    expect(JSON.parse(verified.stdout)).toMatchObject({ intact: true });
  });

  it('exits 1 naming the first broken event after someone edits the audit table', async () => {
    const handle = await connectDatabase({ engine: 'pglite', dataDir });
    const victim = await handle.db.transaction().execute(async (trx) => {
      await sql`alter table audit_event disable trigger audit_event_no_update_or_delete`.execute(
        trx,
      );
      const row = await trx
        .selectFrom('audit_event')
        .select('seq')
        .orderBy('seq')
        .limit(1)
        .executeTakeFirstOrThrow();
      await sql`update audit_event set actor = 'cli:someone-else' where seq = ${row.seq}`.execute(
        trx,
      );
      await sql`alter table audit_event enable trigger audit_event_no_update_or_delete`.execute(
        trx,
      );
      return row.seq;
    });
    await handle.close();

    const broken = run(['audit', 'verify']);
    expect(broken.status).toBe(1);
    expect(broken.stdout).toContain(`BROKEN at event ${victim}`);
  });

  it('refuses bad options with a one-line reason', () => {
    const bad = run(['user', 'create', '--email', 'x@example.org', '--role', 'superuser']);
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toContain('superuser');
  });
});

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

  it('simulates, applies and re-matches the demo strike, and ends it', () => {
    expect(run(['seed', '--scale', 'demo', '--replace']).status).toBe(0);
    const listed = run(['disruption', 'list', '--status', 'draft', '--json']);
    const [strike] = JSON.parse(listed.stdout) as { id: string }[];
    if (!strike) throw new Error('the demo seed has a draft strike');

    const simulated = run(['disruption', 'simulate', strike.id]);
    expect(simulated.status).toBe(0);
    expect(simulated.stdout).toMatch(/Displaced patients: \d+ \(urgent/);
    // Text output is aggregate only: no patient name or MRN.
    expect(simulated.stdout).not.toMatch(/MRN|[A-Z]{2,}-\d{4,}/);

    expect(run(['disruption', 'apply', strike.id]).stdout).toMatch(/\d+ sessions cancelled/);
    expect(run(['disruption', 'apply', strike.id]).stdout).toContain(': 0 sessions cancelled');

    const planned = run(['rematch', '--disruption', strike.id]);
    expect(planned.status).toBe(0);
    expect(planned.stdout).toMatch(/proven optimal/);
    expect(planned.stdout).toMatch(
      /equivalent group \d+ · outside provider \d+ · individual \d+ · unmatched \d+/,
    );
    const json = run(['rematch', '--disruption', strike.id, '--json']);
    const plan = JSON.parse(json.stdout) as { stats: { patients: number; optimal: boolean } };
    expect(plan.stats.optimal).toBe(true);
    expect(plan.stats.patients).toBeGreaterThan(40);

    const ended = run(['disruption', 'end', strike.id, '--on', '2099-01-01', '--json']);
    expect(ended.status).toBe(0);
    expect(JSON.parse(ended.stdout)).toMatchObject({ disruption: { status: 'ended' } });
    const again = run(['disruption', 'end', strike.id]);
    expect(again.status).toBe(1);
    expect(again.stderr).toMatch(/^continuity: .*ended/);
    expect(
      run(['disruption', 'create', '--kind', 'flood', '--title', 'x', '--starts-on', '2025-01-01'])
        .status,
    ).not.toBe(0);
  }, 180_000);

  it('reports timely-access rates for the demo year as text, CSV and JSON', () => {
    const to = new Date().toISOString().slice(0, 10);
    const from = `${Number(to.slice(0, 4)) - 1}${to.slice(4)}`;
    const csv = run(['report', 'timely-access', '--from', from, '--to', to, '--csv']);
    expect(csv.status).toBe(0);
    const [header, ...lines] = csv.stdout.trim().split('\n');
    expect(header).toBe(
      'standard,group,met,missed,denominator,rate,excepted,pending,below_threshold,definition',
    );
    expect(lines.length).toBeGreaterThan(2);
    const json = run(['report', 'timely-access', '--from', from, '--to', to, '--json']);
    const rates = JSON.parse(json.stdout) as { met: number; missed: number; denominator: number }[];
    for (const rate of rates) expect(rate.denominator).toBe(rate.met + rate.missed);
    expect(rates.reduce((n, r) => n + r.denominator, 0)).toBeGreaterThan(100);
    const referrals = run(['report', 'referrals', '--from', from, '--to', to, '--json']);
    expect(referrals.status).toBe(0);
    expect(JSON.parse(referrals.stdout)).toMatchObject({ accepted: { denominator: 0 } });
    const grievances = run(['report', 'grievances', '--quarter', '2025Q1', '--csv']);
    expect(grievances.status).toBe(0);
    expect(grievances.stdout.split('\n')[0]).toBe('line_of_business,type,pending_with,count');
    expect(run(['report', 'grievances', '--quarter', '2025Q5']).status).not.toBe(0);
    expect(run(['report', 'workload']).stdout).toMatch(/^Week \d{4}-W\d{2} /);
    expect(run(['report', 'referrals']).stdout).toMatch(/^Referrals sent: \d+/);
    const workload = run(['report', 'workload', '--week', '2025-W10', '--json']);
    expect(workload.status).toBe(0);
    const week = JSON.parse(workload.stdout) as { clinicians: { contractedHours: number }[] };
    expect(week.clinicians.length).toBeGreaterThan(10);
    const bad = run(['report', 'timely-access', '--from', 'yesterday', '--to', to]);
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toContain('--from');
  }, 180_000);

  it('imports the provider directory all or nothing, and exports what it imports', () => {
    const fixtures = join(import.meta.dirname, '../modules/outside-providers/fixtures');
    const bad = run([
      'import',
      'providers',
      join(fixtures, 'directory-bad.csv'),
      '--format',
      'csv',
    ]);
    expect(bad.status).toBe(1);
    expect(bad.stdout).toContain('row 5: npi 1555500001 is also given in row 2');
    expect(bad.stdout).toMatch(/Nothing imported: 3 of 5 rows rejected/);

    const args = ['import', 'providers', join(fixtures, 'directory-hsds.json'), '--format', 'hsds'];
    const first = run([...args, '--json']);
    expect(first.status).toBe(0);
    expect(JSON.parse(first.stdout)).toMatchObject({ imported: 2, committed: true });

    const out = join(dataDir, 'providers.csv');
    expect(run(['export', 'providers', '--format', 'csv', '--out', out]).status).toBe(0);
    const again = run(['import', 'providers', out, '--format', 'csv']);
    expect(again.stdout).toMatch(/^Imported \d+ rows \(csv\): 0 new, 0 updated, \d+ unchanged\.$/m);
  });

  it('refuses bad options with a one-line reason', () => {
    const bad = run(['user', 'create', '--email', 'x@example.org', '--role', 'superuser']);
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toContain('superuser');
  });
});

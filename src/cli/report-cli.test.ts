import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

/* `continuity report disruption` and `continuity report verify`, as an operator runs them. */

const dir = mkdtempSync(join(tmpdir(), 'continuity-report-cli-'));
const dataDir = join(dir, 'data');
const bin = join(import.meta.dirname, '../../bin/continuity.js');

function run(args: string[]) {
  const result = spawnSync(process.execPath, [bin, ...args], {
    encoding: 'utf8',
    env: { ...process.env, DATA_DIR: dataDir, DATABASE_URL: '', LOG_LEVEL: 'silent' },
    timeout: 120_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('continuity report disruption and verify', () => {
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('writes the report, verifies the copy, and catches a changed one', () => {
    expect(run(['seed', '--json']).status).toBe(0);
    const [strike] = JSON.parse(run(['disruption', 'list', '--json']).stdout) as { id: string }[];
    if (!strike) throw new Error('the demo seed has a strike');
    expect(run(['disruption', 'apply', strike.id, '--json']).status).toBe(0);
    expect(run(['rematch', '--disruption', strike.id, '--json']).status).toBe(0);

    const html = join(dir, 'report.html');
    const written = run(['report', 'disruption', strike.id, '--out', html]);
    expect(written.status).toBe(0);
    expect(written.stderr).toMatch(/^wrote .*report\.html \([\d,]+ bytes, sha256 [0-9a-f]{64}\)$/m);
    expect(readFileSync(html, 'utf8')).toContain('Disruption continuity report');

    const verified = run(['report', 'verify', html, '--json']);
    expect(verified.status).toBe(0);
    expect(JSON.parse(verified.stdout)).toMatchObject({
      verdict: 'unaltered',
      issued: { disruptionId: strike.id, format: 'html', edition: 'deidentified' },
    });

    writeFileSync(html, readFileSync(html, 'utf8').replace('Key figures', 'Key numbers'));
    const altered = run(['report', 'verify', html]);
    expect(altered.status).toBe(1);
    expect(altered.stdout).toMatch(/^ALTERED: /);

    const csv = join(dir, 'csv');
    expect(run(['report', 'disruption', strike.id, '--format', 'csv', '--out', csv]).status).toBe(
      0,
    );
    const files = readdirSync(csv);
    expect(files.some((f) => f.endsWith('-summary.csv'))).toBe(true);
    expect(files.some((f) => f.endsWith('-patients.csv'))).toBe(false);
    expect(files.length).toBeGreaterThanOrEqual(13);

    const json = run(['report', 'disruption', strike.id, '--format', 'json', '--edition', 'full']);
    expect(json.status).toBe(0);
    const report = JSON.parse(json.stdout) as { edition: string; tables: { id: string }[] };
    expect(report.edition).toBe('full');
    expect(report.tables.map((t) => t.id)).toContain('patients');

    const future = run(['report', 'disruption', strike.id, '--as-of', '2999-01-01']);
    expect(future.status).toBe(1);
    expect(future.stderr).toMatch(/^continuity: Invalid asOf/);
    const together = run(['report', 'disruption', strike.id, '--format', 'csv']);
    expect(together.status).toBe(1);
    expect(together.stderr).toMatch(/give --out DIR, or --table ID/);
  }, 300_000);
});

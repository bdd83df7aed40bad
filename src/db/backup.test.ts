import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { createContext, type Context } from '../context.ts';
import { cliActor } from '../modules/auth/policy.domain.ts';
import { parseConfig } from '../shared/config.ts';
import { backupDataDir, restoreDataDir, tableCounts } from './backup.ts';
import { migrateToLatest } from './migrate.ts';

/* A backup of the embedded database, restored into an empty data folder, is the same database. */

const root = mkdtempSync(join(tmpdir(), 'continuity-backup-'));
const config = parseConfig({ LOG_LEVEL: 'silent' });

async function openAt(dataDir: string): Promise<Context> {
  return createContext(config, { database: { engine: 'pglite', dataDir } });
}

/** Each table's rows, hashed in a fixed order: equal digests mean equal contents. */
async function digests(context: Context): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const table of Object.keys(await tableCounts(context.db))) {
    const { rows } = await sql<{ digest: string | null }>`
      select md5(string_agg(t::text, '|' order by t::text)) as digest
        from ${sql.table(table)} t`.execute(context.db);
    out[table] = rows[0]?.digest ?? '';
  }
  return out;
}

describe('backup and restore of the embedded database', () => {
  afterAll(() => {
    rmSync(root, { recursive: true, force: true });
  });

  it('restores every row and a verifying audit chain into an empty data folder', async () => {
    const source = join(root, 'source');
    const context = await openAt(source);
    let before: { counts: Record<string, number>; digests: Record<string, string> };
    try {
      await migrateToLatest(context.db);
      const services = context.servicesFor(cliActor('test'));
      await services.seed.seed({ scale: 'demo', seed: 1 });
      const [strike] = (await services.disruptions.list({ status: 'draft' }, { limit: 5 })).items;
      if (!strike) throw new Error('the demo has a strike');
      await services.disruptions.apply(strike.id);
      before = { counts: await tableCounts(context.db), digests: await digests(context) };
    } finally {
      await context.close();
    }
    expect(before.counts.audit_event).toBeGreaterThan(0);

    const file = join(root, 'backup.tgz');
    const backup = await backupDataDir(source, file);
    expect(backup.tables).toEqual(before.counts);
    expect(backup.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(readdirSync(root)).not.toContain('backup.tgz.partial');

    const target = join(root, 'target');
    const restored = await restoreDataDir(file, target);
    expect(restored.tables).toEqual(before.counts);
    expect(restored.migrated).toEqual([]);
    const again = await openAt(target);
    let afterVerify: Record<string, number>;
    try {
      expect(await digests(again)).toEqual(before.digests);
      const audit = await again.servicesFor(cliActor('test')).audit.verify();
      expect(audit.brokenAt).toBeNull();
      expect(audit.checked).toBe(before.counts.audit_event);
      // Verifying is itself audited.
      afterVerify = await tableCounts(again.db);
    } finally {
      await again.close();
    }

    // Restoring over a database is refused, and the database is left as it was.
    await expect(restoreDataDir(file, target)).rejects.toThrow(/already holds a database/);
    const still = await openAt(target);
    try {
      expect(await tableCounts(still.db)).toEqual(afterVerify);
    } finally {
      await still.close();
    }
  }, 120_000);

  it('refuses what is not a backup, leaving the data folder empty', async () => {
    const notGzip = join(root, 'not-a-backup.txt');
    writeFileSync(notGzip, 'hello');
    const target = join(root, 'empty');
    await expect(restoreDataDir(notGzip, target)).rejects.toThrow(/is not a Continuity backup/);

    const garbage = join(root, 'garbage.tgz');
    writeFileSync(garbage, gzipSync(Buffer.from('not a tar of a data folder')));
    await expect(restoreDataDir(garbage, target)).rejects.toThrow();
    expect(readdirSync(target).filter((f) => f !== 'continuity.lock')).toEqual([]);

    await expect(backupDataDir(join(root, 'nothing-here'), join(root, 'x.tgz'))).rejects.toThrow(
      /no embedded database/,
    );
  }, 60_000);
});

import { resolve } from 'node:path';
import type { Command } from 'commander';
import { createContext } from '../context.ts';
import { backupDataDir, restoreDataDir, type TableCounts } from '../db/backup.ts';
import type { Actor } from '../modules/auth/policy.domain.ts';
import { parseConfig, type Config } from '../shared/config.ts';

/* `continuity backup` and `continuity restore`: the embedded database, whole. */

function embeddedOnly(config: Config, verb: string): void {
  if (config.DATABASE_URL)
    throw new Error(
      `continuity ${verb} is for the embedded database; for server PostgreSQL use pg_dump and pg_restore (README.md, "Backup and restore").`,
    );
}

const rows = (tables: TableCounts): number => Object.values(tables).reduce((a, b) => a + b, 0);

export function addBackupCommands(
  program: Command,
  operator: () => Actor,
  print: (json: boolean, value: unknown, text: string) => void,
) {
  program
    .command('backup')
    .description(
      'Write the embedded database to one file (stop the server first: the data folder is locked while it runs).',
    )
    .requiredOption('--out <file>', 'the backup file to write (a gzipped tar)')
    .option('--json', 'print the result as JSON', false)
    .action(async (options: { out: string; json: boolean }) => {
      const config = parseConfig(process.env);
      embeddedOnly(config, 'backup');
      const result = await backupDataDir(config.DATA_DIR, options.out);
      print(
        options.json,
        { file: resolve(options.out), ...result },
        `Backed up ${rows(result.tables).toLocaleString('en-US')} rows to ${options.out} (${result.bytes.toLocaleString('en-US')} bytes, sha256 ${result.sha256}).`,
      );
    });

  program
    .command('restore <file>')
    .description(
      'Load a backup into an empty DATA_DIR, bring it up to date, and verify its audit chain (exit 1 if broken).',
    )
    .option('--json', 'print the result as JSON', false)
    .action(async (file: string, options: { json: boolean }) => {
      const config = parseConfig(process.env);
      embeddedOnly(config, 'restore');
      const restored = await restoreDataDir(file, config.DATA_DIR);
      const context = await createContext(config);
      try {
        const audit = await context.servicesFor(operator()).audit.verify();
        print(
          options.json,
          { ...restored, audit },
          [
            `Restored ${rows(restored.tables).toLocaleString('en-US')} rows into ${config.DATA_DIR}${restored.migrated.length > 0 ? `, then applied ${restored.migrated.join(', ')}` : ''}.`,
            audit.brokenAt
              ? `Audit chain BROKEN at event ${audit.brokenAt.seq}.`
              : `Audit chain intact: ${audit.checked.toLocaleString('en-US')} events verified.`,
          ].join('\n'),
        );
        if (audit.brokenAt) process.exitCode = 1;
      } finally {
        await context.close();
      }
    });
}

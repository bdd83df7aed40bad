/*
 * FHIR Bulk Data export of the region dataset, on server PostgreSQL: seeds the region into a fresh
 * schema (or reuses one), then exports everything twice: as a kick-off's background job (the
 * server's path, with its progress written per page), and into a folder (the CLI's path, timed per
 * type). Prints resources per type, seconds, file sizes, the time spent writing the audit trail,
 * and the process's resident memory sampled every 50 ms, to show it stays flat.
 *
 *   npx tsx bench/fhir-export.bench.ts [--scale region|demo] [--seed 1]
 *                                      [--url postgres://postgres@127.0.0.1:5432/postgres]
 *                                      [--schema NAME] [--keep]
 *
 * `--schema` reuses an already seeded schema (and keeps it); otherwise a fresh one is seeded and
 * dropped afterwards, unless `--keep` (run once with --keep, then again with --schema, to measure
 * memory in a process that never held the seed).
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { createContext } from '../src/context.ts';
import { migrateToLatest } from '../src/db/migrate.ts';
import type { Access } from '../src/modules/audit/access.service.ts';
import { cliActor } from '../src/modules/auth/policy.domain.ts';
import type { Manifest } from '../src/modules/fhir/export.domain.ts';
import { createExportService } from '../src/modules/fhir/export.service.ts';
import { exportJobsOf } from '../src/modules/fhir/export-jobs.ts';
import type { Scale } from '../src/modules/seed/scale.domain.ts';
import { parseConfig } from '../src/shared/config.ts';

const { values } = parseArgs({
  options: {
    scale: { type: 'string', default: 'region' },
    seed: { type: 'string', default: '1' },
    url: { type: 'string', default: 'postgres://postgres@127.0.0.1:5432/postgres' },
    schema: { type: 'string' },
    keep: { type: 'boolean', default: false },
  },
});
const scale = values.scale as Scale;
const reuse = values.schema !== undefined;
const schema = values.schema ?? `bench_export_${randomBytes(4).toString('hex')}`;
if (!/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) throw new Error('--schema: a plain schema name');
const dataDir = await mkdtemp(join(tmpdir(), 'continuity-export-bench-'));
const config = parseConfig({ LOG_LEVEL: 'silent', DATA_DIR: dataDir });
const admin = new pg.Client({ connectionString: values.url });
await admin.connect();
if (!reuse) await admin.query(`create schema ${schema}`);

const out = (line: string) => process.stdout.write(`${line}\n`);
const mb = (bytes: number) => `${Math.round(bytes / 1_048_576)} MB`;
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const n = (value: number) => value.toLocaleString('en-US');

/** The resident set size, sampled every 50 ms while `work` runs. */
async function sampled<T>(work: () => Promise<T>) {
  const before = process.memoryUsage();
  let peakRss = before.rss;
  let peakHeap = before.heapUsed;
  const timer = setInterval(() => {
    const now = process.memoryUsage();
    peakRss = Math.max(peakRss, now.rss);
    peakHeap = Math.max(peakHeap, now.heapUsed);
  }, 50);
  const started = performance.now();
  try {
    const result = await work();
    return { result, ms: performance.now() - started, before, peakRss, peakHeap };
  } finally {
    clearInterval(timer);
  }
}

/** The access the export uses, with the time spent writing its audit events counted. */
function timedAccess(access: Access) {
  const spent = { ms: 0, events: 0 };
  const wrapped: Access = {
    actor: access.actor,
    require: (permission, record) => access.require(permission, record),
    deny: (record, error) => access.deny(record, error),
    async record(records, trx) {
      const started = performance.now();
      await access.record(records, trx);
      spent.ms += performance.now() - started;
      spent.events += records.length;
    },
  };
  return { access: wrapped, spent };
}

async function sizes(dir: string, manifest: Manifest) {
  let total = 0;
  for (const o of manifest.output) total += (await stat(join(dir, `${o.type}.ndjson`))).size;
  return total;
}

try {
  const context = await createContext(config, {
    database: { engine: 'postgres', url: values.url, schema },
  });
  try {
    await migrateToLatest(context.db);
    const actor = cliActor('bench');
    out(`FHIR bulk export: scale ${scale}, schema ${schema}, Node ${process.version}`);
    if (!reuse) {
      const started = performance.now();
      await context.servicesFor(actor).seed.seed({ scale, seed: Number(values.seed) });
      out(`seed ${scale} (setup, not measured): ${seconds(performance.now() - started)}`);
      await admin.query(`set search_path = ${schema}; analyze`);
    }
    const deps = () => {
      const timed = timedAccess(context.accessFor(actor));
      return {
        deps: { db: context.db, clock: context.clock, config, access: timed.access },
        timed,
      };
    };

    // 1. The server's path: kick-off, then the background job to its end.
    const job = deps();
    const service = createExportService(job.deps);
    const server = await sampled(async () => {
      const { id } = await service.kickOff({
        query: {},
        groupId: null,
        requestUrl: 'http://bench/fhir/R4/$export',
      });
      await exportJobsOf(context.db).settled(id);
      const state = await service.status(id, 'http://bench/fhir/R4');
      if (state.state !== 'completed') throw new Error(`the job ended ${state.state}`);
      return { id, manifest: state.manifest };
    });
    const resources = server.result.manifest.output.reduce((sum, o) => sum + o.count, 0);
    const bytes = await sizes(join(dataDir, 'exports', server.result.id), server.result.manifest);
    out(
      `kick-off job: ${n(resources)} resources in ${seconds(server.ms)} (${n(Math.round(resources / (server.ms / 1000)))}/s), ${mb(bytes)} of NDJSON`,
    );
    out(`  audit: ${n(job.timed.spent.events)} events, ${seconds(job.timed.spent.ms)} of the run`);
    out(
      `  RSS ${mb(server.before.rss)} before, peak ${mb(server.peakRss)}; heap ${mb(server.before.heapUsed)} before, peak ${mb(server.peakHeap)}`,
    );

    // 2. The CLI's path, into a folder, timed per type.
    const folder = deps();
    const dir = join(dataDir, 'folder');
    const perType: { type: string; count: number; ms: number; rss: number }[] = [];
    let typeStarted = performance.now();
    let current = '';
    const cli = await sampled(() =>
      createExportService(folder.deps).exportTo(dir, {}, null, (p) => {
        if (p.type !== current) {
          typeStarted = performance.now();
          current = p.type;
          perType.push({ type: p.type, count: 0, ms: 0, rss: 0 });
        }
        const last = perType.at(-1);
        if (last) {
          last.count = p.written;
          last.ms = performance.now() - typeStarted;
          last.rss = process.memoryUsage().rss;
        }
      }),
    );
    const folderResources = cli.result.output.reduce((sum, o) => sum + o.count, 0);
    out(
      `folder export: ${n(folderResources)} resources in ${seconds(cli.ms)}, ${mb(await sizes(dir, cli.result))} of NDJSON; audit ${seconds(folder.timed.spent.ms)}`,
    );
    out(`  ${'type'.padEnd(18)} ${'resources'.padStart(10)} ${'seconds'.padStart(8)}  RSS after`);
    for (const t of perType)
      out(
        `  ${t.type.padEnd(18)} ${n(t.count).padStart(10)} ${(t.ms / 1000).toFixed(1).padStart(8)}  ${mb(t.rss)}`,
      );
    out(
      `  RSS ${mb(cli.before.rss)} before, peak ${mb(cli.peakRss)}; heap ${mb(cli.before.heapUsed)} before, peak ${mb(cli.peakHeap)}`,
    );
  } finally {
    await context.close();
  }
} finally {
  if (!reuse && !values.keep) await admin.query(`drop schema ${schema} cascade`);
  else out(`kept schema ${schema}`);
  await admin.end();
  await rm(dataDir, { recursive: true, force: true });
}

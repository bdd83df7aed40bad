/*
 * The API under load, on server PostgreSQL with the region dataset (issue 11, item 4). Seeds the
 * region into a fresh schema, prepares two disruptions (bench/load-setup.ts), starts the server
 * as a child process (`continuity serve`), and drives it from a second child process with
 * autocannon (bench/load-driver.ts), each scenario bounded in time:
 *
 *   solo        each read endpoint alone, a few seconds each: what it costs by itself
 *   read mix    a coordinator's day: worklists, patient reads, searches, a month's compliance
 *   write mix   referral transitions (with the version last read) and outreach records
 *   re-match    the read mix while POST /disruptions/:id/rematch plans a displaced cohort
 *
 * and prints, per scenario and per endpoint: requests, throughput, p50/p90/p99/max latency and
 * non-2xx answers, with the CPU time of the server, PostgreSQL and the load generator.
 *
 *   npm run bench:load -- [--scale region|demo] [--seed 1] [--duration 20] [--connections 8]
 *                         [--solo 4] [--rematch-areas 2] [--log-level warn]
 *                         [--schema NAME --keep] [--json FILE]
 *                         [--only solo,mix,light,writes,rematch] [--cpu-prof DIR]
 *                         [--url postgres://postgres@127.0.0.1:5432/postgres]
 *
 * Goals on the 2-core machine: at least 1,000 requests/s on the read mix, p99 under 100 ms, no
 * errors. `--schema NAME --keep` reuses (or makes and keeps) a schema, to skip the seed while
 * iterating; otherwise the schema is dropped afterwards. A kept schema's referrals move along on
 * each run, so later runs find fewer to transition (the mix then records outreach instead).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import pg from 'pg';
import type { Scale } from '../src/modules/seed/scale.domain.ts';
import { addCalendarDays } from '../src/modules/timely-access/calendar.domain.ts';
import { localDateOf } from '../src/shared/clock.ts';
import { parseConfig } from '../src/shared/config.ts';
import { machineReference } from './machine-reference.ts';
import { withRegion } from './region-schema.ts';
import type { ReadEndpoint, Scenario, ScenarioResult } from './load-driver.ts';
import { bearerToken, loadTargets, prepareDisruptions, type Targets } from './load-setup.ts';
import { byEndpoint, cpuMeter, summarize, type CpuSplit, type Summary } from './load-stats.ts';

const { values } = parseArgs({
  options: {
    scale: { type: 'string', default: 'region' },
    seed: { type: 'string', default: '1' },
    url: { type: 'string', default: 'postgres://postgres@127.0.0.1:5432/postgres' },
    schema: { type: 'string' },
    keep: { type: 'boolean', default: false },
    duration: { type: 'string', default: '20' },
    connections: { type: 'string', default: '8' },
    solo: { type: 'string', default: '4' },
    'rematch-areas': { type: 'string', default: '2' },
    'log-level': { type: 'string', default: 'warn' },
    json: { type: 'string' },
    only: { type: 'string', default: 'solo,mix,light,writes,rematch' },
    // Writes the server's V8 CPU profile into DIR when it stops (open it in Chrome's DevTools).
    'cpu-prof': { type: 'string' },
  },
});
const scale = values.scale as Scale;
const duration = Number(values.duration);
const connections = Number(values.connections);
const soloSeconds = Number(values.solo);
const only = new Set(values.only.split(','));
const schema = values.schema ?? `bench_load_${randomBytes(4).toString('hex')}`;
if (!/^[a-z_][a-z0-9_]*$/.test(schema)) throw new Error('--schema: lower-case letters, digits, _');
const config = parseConfig({ LOG_LEVEL: 'silent' });
const applicationName = `continuity-${schema}`;

const out = (line = '') => process.stdout.write(`${line}\n`);
const n = (value: number) => Math.round(value).toLocaleString('en-US');
const ms = (value: number) => (value < 10 ? value.toFixed(1) : n(value));
const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');

/** The server's URL with the schema as its search path (pg reads `options` from the URL). */
function urlWithSchema(url: string, name: string): string {
  const parsed = new URL(url);
  parsed.searchParams.set('options', `-c search_path=${name}`);
  // To tell the server's backends from every other client's, for their CPU time.
  parsed.searchParams.set('application_name', applicationName);
  return parsed.toString();
}

async function startServer(): Promise<{ url: string; child: ChildProcess }> {
  const bin = fileURLToPath(new URL('../bin/continuity.js', import.meta.url));
  const profile = values['cpu-prof'];
  const nodeArgs = profile === undefined ? [] : ['--cpu-prof', '--cpu-prof-dir', profile];
  const child = spawn(process.execPath, [...nodeArgs, bin, 'serve'], {
    env: {
      ...process.env,
      DATABASE_URL: urlWithSchema(values.url, schema),
      HOST: '127.0.0.1',
      PORT: '0',
      LOG_LEVEL: values['log-level'],
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let seen = '';
    child.stdout.on('data', (chunk: Buffer) => {
      seen += chunk.toString('utf8');
      const found = /listening on (http:\/\/\S+)/.exec(seen);
      if (found?.[1]) resolve(found[1]);
    });
    child.once('exit', (code) => {
      reject(new Error(`the server exited (${code}) before listening`));
    });
  });
  child.stdout.resume();
  return { url, child };
}

async function backendPids(): Promise<number[]> {
  const { rows } = await admin.query<{ pid: number }>(
    'select pid from pg_stat_activity where application_name = $1',
    [applicationName],
  );
  return rows.map((r) => r.pid);
}

async function runDriver(scenario: Scenario, serverPid: number) {
  const driver = fileURLToPath(new URL('./load-driver.ts', import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', driver], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  let output = '';
  let meter: Promise<() => Promise<CpuSplit>> | undefined;
  let reads: Promise<TableReads> | undefined;
  let meteredFrom = 0;
  const waits = new Map<string, number>();
  let samples = 0;
  let sampling: NodeJS.Timeout | undefined;
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString('utf8');
    if (meter === undefined && output.startsWith('started\n')) {
      meteredFrom = performance.now();
      meter = cpuMeter(serverPid, backendPids);
      reads = tableReads();
      sampling = setInterval(() => {
        void backendStates().then((states) => {
          samples += 1;
          for (const state of states) waits.set(state, (waits.get(state) ?? 0) + 1);
        });
      }, 200);
    }
  });
  child.stdin.end(JSON.stringify(scenario));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  clearInterval(sampling);
  if (code !== 0 || meter === undefined || reads === undefined)
    throw new Error(`the load driver exited with ${code}`);
  const cpu = await (await meter)();
  const wallSeconds = (performance.now() - meteredFrom) / 1000;
  const tables = diffReads(await reads, await tableReads());
  const result = JSON.parse(output.slice('started\n'.length)) as ScenarioResult;
  const backends = [...waits.entries()]
    .map(([state, count]) => ({ state, average: count / Math.max(1, samples) }))
    .sort((a, b) => b.average - a.average);
  return { result, cpu, wallSeconds, tables, backends };
}

/**
 * What each of the server's PostgreSQL backends is doing now: running, waiting (and for what:
 * `Lock:advisory` is the audit chain's lock, `IO:WALSync` a commit's flush), idle in a
 * transaction (waiting for the server to send the next statement) or idle.
 */
async function backendStates(): Promise<string[]> {
  const { rows } = await admin.query<{ state: string | null; wait: string | null }>(
    `select state, wait_event_type || ':' || wait_event as wait
       from pg_stat_activity where application_name = $1`,
    [applicationName],
  );
  return rows.map((r) =>
    r.state === 'active' ? (r.wait ? `waiting ${r.wait}` : 'running') : (r.state ?? 'unknown'),
  );
}

/**
 * Waits until none of the server's backends is busy: a request the load generator gave up on
 * (a worklist still computing when a run stops) would otherwise run on into the next scenario.
 */
async function drain(): Promise<number> {
  const started = performance.now();
  const limit = started + 300_000;
  for (;;) {
    const busy = (await backendStates()).filter((s) => s !== 'idle').length;
    if (busy === 0 || performance.now() > limit) break;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return (performance.now() - started) / 1000;
}

type TableReads = Map<string, { seqScans: number; seqRows: number; idxScans: number }>;

/** PostgreSQL's counts of scans of each table of the schema (statistics lag about a second). */
async function tableReads(): Promise<TableReads> {
  const { rows } = await admin.query<{
    relname: string;
    seq_scan: string;
    seq_tup_read: string;
    idx_scan: string | null;
  }>(
    'select relname, seq_scan, seq_tup_read, idx_scan from pg_stat_user_tables where schemaname = $1',
    [schema],
  );
  return new Map(
    rows.map((r) => [
      r.relname,
      {
        seqScans: Number(r.seq_scan),
        seqRows: Number(r.seq_tup_read),
        idxScans: Number(r.idx_scan ?? 0),
      },
    ]),
  );
}

function diffReads(before: TableReads, after: TableReads) {
  return [...after.entries()]
    .map(([table, a]) => {
      const b = before.get(table) ?? { seqScans: 0, seqRows: 0, idxScans: 0 };
      return {
        table,
        seqScans: a.seqScans - b.seqScans,
        seqRows: a.seqRows - b.seqRows,
        idxScans: a.idxScans - b.idxScans,
      };
    })
    .filter((t) => t.seqRows > 0)
    .sort((x, y) => y.seqRows - x.seqRows)
    .slice(0, 5);
}

/** The read mix: what a coordinator's screens ask for, weighted by how often. */
function readMix(targets: Targets, month: { from: string; to: string }): ReadEndpoint[] {
  const areas = targets.serviceAreaIds;
  const each = <T>(items: readonly T[], f: (item: T) => string[]) => items.flatMap(f);
  return [
    {
      name: 'GET /patients/:id',
      weight: 30,
      paths: targets.patientIds.map((id) => `/api/v1/patients/${id}`),
    },
    {
      name: 'GET /patients?filters',
      weight: 12,
      paths: each(areas, (area) => [
        `/api/v1/patients?serviceAreaId=${area}&risk=high`,
        `/api/v1/patients?serviceAreaId=${area}&perinatal=true`,
        `/api/v1/patients?serviceAreaId=${area}&recentlyDischarged=true`,
        ...targets.languages.map((l) => `/api/v1/patients?serviceAreaId=${area}&language=${l}`),
      ]),
    },
    {
      name: 'GET /groups?specialty',
      weight: 12,
      paths: each(targets.specialties, (s) => [
        `/api/v1/groups?specialty=${s}`,
        `/api/v1/groups?specialty=${s}&hasOpenSeats=true`,
        ...areas.slice(0, 4).map((area) => `/api/v1/groups?specialty=${s}&serviceAreaId=${area}`),
      ]),
    },
    {
      name: 'GET /care-gaps',
      weight: 12,
      paths: [
        '/api/v1/care-gaps',
        '/api/v1/care-gaps?status=overdue',
        '/api/v1/care-gaps?status=at_risk',
        ...areas.map((area) => `/api/v1/care-gaps?area=${area}`),
      ],
    },
    {
      name: 'GET /referrals?status',
      weight: 12,
      paths: ['draft', 'sent', 'accepted', 'scheduled'].map((s) => `/api/v1/referrals?status=${s}`),
    },
    { name: 'GET /grievances/due', weight: 6, paths: ['/api/v1/grievances/due'] },
    {
      name: 'GET /compliance/timely-access',
      weight: 0.5,
      paths: ['standard', 'service_area', 'specialty'].map(
        (g) => `/api/v1/compliance/timely-access?from=${month.from}&to=${month.to}&groupBy=${g}`,
      ),
    },
  ];
}

interface Row {
  scenario: string;
  endpoint: string;
  summary: Summary;
}

const header = `${'endpoint'.padEnd(44)} ${'requests'.padStart(9)} ${'req/s'.padStart(7)} ${'p50 ms'.padStart(7)} ${'p90 ms'.padStart(7)} ${'p99 ms'.padStart(7)} ${'max ms'.padStart(7)}  non-2xx`;
function line(label: string, s: Summary): string {
  const statuses = Object.entries(s.statuses)
    .map(([code, count]) => `${count}×${code}`)
    .join(' ');
  return `${label.padEnd(44)} ${n(s.requests).padStart(9)} ${s.perSecond.toFixed(0).padStart(7)} ${ms(s.p50).padStart(7)} ${ms(s.p90).padStart(7)} ${ms(s.p99).padStart(7)} ${ms(s.max).padStart(7)}  ${s.non2xx === 0 ? '0' : statuses}`;
}
function cpuLine(cpu: CpuSplit, driver: number, seconds: number): string {
  const share = (x: number) => `${((100 * x) / seconds).toFixed(0)}%`;
  const other = cpu.machine - cpu.server - cpu.postgres - driver;
  return `CPU (of one core): server ${share(cpu.server)}, its PostgreSQL backends ${share(cpu.postgres)}, load generator ${share(driver)}, everything else ${share(other)}; machine ${share(cpu.machine)} of ${cpus().length * 100}%`;
}

function rematchPhases(
  result: ScenarioResult,
  rematch: NonNullable<ScenarioResult['rematch']>,
): void {
  out(
    `re-match: ${rematch.status} after ${(rematch.ms / 1000).toFixed(1)} s (started ${(rematch.startedAt / 1000).toFixed(1)} s into the run)${rematch.body ? `: ${rematch.body}` : ''}`,
  );
  const window = (from: number, to: number) =>
    summarize(
      result.samples.filter((s) => s.at >= from && s.at < to),
      Math.max(0.001, (to - from) / 1000),
    );
  const end = rematch.startedAt + rematch.ms;
  out(header);
  const phases: [string, Summary][] = [
    ['  reads before the re-match', window(0, rematch.startedAt)],
    ['  reads while it ran', window(rematch.startedAt, end)],
    ['  reads after it answered', window(end, result.elapsedMs)],
  ];
  for (const [label, summary] of phases) {
    out(line(label, summary));
    rows.push({ scenario: 'light read mix + re-match', endpoint: label.trim(), summary });
  }
  // Seconds in which nothing was answered at all: the server's event loop was held.
  const answered = new Set(result.samples.map((s) => Math.floor(s.at / 1000)));
  let silent = 0;
  for (let s = 0; s < Math.floor(result.elapsedMs / 1000); s += 1)
    if (!answered.has(s)) silent += 1;
  out(`seconds of the run in which no request was answered: ${silent}`);
}

const admin = new pg.Client({ connectionString: values.url });
await admin.connect();
const rows: Row[] = [];
const report: Record<string, unknown> = {};
let server: ChildProcess | undefined;

out(`Load: scale ${scale}, seed ${values.seed}, schema ${schema}, Node ${process.version}`);
out(
  `machine: ${cpus().length} cores (${cpus()[0]?.model ?? '?'}), ${Math.round(totalmem() / 2 ** 30)} GiB; load average at the start (1, 5, 15 min): ${load()}`,
);
const reference = await machineReference(values.url);
report.machineReference = reference;
out(
  `machine reference (bench/machine-reference.ts): a bare Node.js HTTP server ${n(reference.bareHttpPerSecond)} requests/s; PostgreSQL ${n(reference.postgresRoundTripsPerSecond)} select round trips/s (8 connections each)`,
);
const region = { url: values.url, scale, seed: Number(values.seed), schema, prefix: 'bench_load' };
try {
  await withRegion({ ...region, keep: values.keep, out }, async ({ context }) => {
    try {
      const prepared = await prepareDisruptions(context, Number(values['rematch-areas']), out);
      const targets = await loadTargets(context, prepared.rematchDisruptionId);
      const coordinator = await bearerToken(context, 'coordinator');
      const adminToken = await bearerToken(context, 'admin');
      const today = localDateOf(new Date(), config.TZ_ORG);
      const month = { from: `${addCalendarDays(today, -30)}T00:00:00Z`, to: `${today}T00:00:00Z` };
      out(
        `targets: ${n(targets.patientIds.length)} patients to read, ${targets.serviceAreaIds.length} areas, ${targets.specialties.length} specialties; ${n(targets.referrals.length)} open referrals to move; re-match cohort about ${n(targets.displacedInRematch)} patients (areas ${prepared.rematchAreas.join(', ')})`,
      );

      const started = await startServer();
      server = started.child;
      const serverPid = server.pid ?? 0;
      out(`server: ${started.url} (pid ${serverPid}, LOG_LEVEL=${values['log-level']})`);
      const reads = readMix(targets, month);
      const base = {
        url: started.url,
        connections,
        coordinator,
        admin: adminToken,
        seed: Number(values.seed),
      };
      const run = async (scenario: Scenario, label: string, byPath: boolean) => {
        const drained = await drain();
        if (drained > 1)
          out(`(waited ${drained.toFixed(0)} s for the previous run's requests to finish)`);
        const { result, cpu, wallSeconds, tables, backends } = await runDriver(scenario, serverPid);
        const seconds = result.elapsedMs / 1000;
        const total = summarize(result.samples, seconds);
        out();
        out(
          `== ${label}: ${seconds.toFixed(1)} s, ${scenario.connections} connections; load average ${load()}`,
        );
        out(header);
        if (byPath)
          for (const [endpoint, samples] of byEndpoint(result.samples)) {
            const summary = summarize(samples, seconds);
            rows.push({ scenario: label, endpoint, summary });
            out(line(`  ${endpoint}`, summary));
          }
        rows.push({ scenario: label, endpoint: 'all', summary: total });
        out(line('all', total));
        const ac = result.autocannon;
        out(
          `autocannon: ${n(ac.requests)} requests, ${ac.errors} errors (${ac.timeouts} timeouts), ${n(ac.non2xx)} non-2xx; its 2xx p50 ${ac.p50} ms, p99 ${ac.p99} ms`,
        );
        out(cpuLine(cpu, result.driverCpuSeconds, wallSeconds));
        out(
          `server's PostgreSQL backends, on average: ${backends.map((b) => `${b.average.toFixed(1)} ${b.state}`).join(', ')}`,
        );
        if (tables.length > 0)
          out(
            `sequential scans (rows read): ${tables.map((t) => `${t.table} ${n(t.seqScans)} (${n(t.seqRows)})`).join(', ')}`,
          );
        report[label] = {
          seconds,
          connections: scenario.connections,
          autocannon: ac,
          cpu: { ...cpu, driver: result.driverCpuSeconds, wallSeconds },
          sequentialScans: tables,
          backends,
          rematch: result.rematch,
          referralsMoved: result.referralsMoved,
          loadAverage: loadavg(),
        };
        return { result, total };
      };

      // The same mix without the two reads that compute over the whole region on every call (the
      // care-gap worklist and the compliance rates): what the rest of the API sustains.
      const light = reads.filter(
        (r) => r.name !== 'GET /care-gaps' && r.name !== 'GET /compliance/timely-access',
      );

      // Warm-up: connections, JIT, plans. Not reported.
      await runDriver({ ...base, name: 'warm-up', durationSeconds: 5, reads: light }, serverPid);

      if (only.has('solo') && soloSeconds > 0)
        for (const endpoint of reads)
          await run(
            {
              ...base,
              name: `solo ${endpoint.name}`,
              durationSeconds: soloSeconds,
              minimumResponses: connections,
              reads: [{ ...endpoint, weight: 1 }],
            },
            `solo ${endpoint.name}`,
            false,
          );

      if (only.has('mix')) {
        const mix = await run(
          { ...base, name: 'read mix', durationSeconds: duration, reads },
          'read mix',
          true,
        );
        const met =
          mix.total.perSecond >= 1000 &&
          mix.total.p99 < 100 &&
          mix.total.non2xx === 0 &&
          mix.result.autocannon.errors === 0;
        out(`read-mix goal (≥ 1,000 req/s, p99 < 100 ms, no errors): ${met ? 'MET' : 'MISSED'}`);
      }

      if (only.has('light'))
        await run(
          { ...base, name: 'read mix, light', durationSeconds: duration, reads: light },
          'read mix without care-gaps and timely-access',
          true,
        );

      if (only.has('writes')) {
        const writes = await run(
          {
            ...base,
            name: 'write mix',
            durationSeconds: duration,
            reads: [],
            writes: {
              transitionWeight: 60,
              outreachWeight: 40,
              referrals: targets.referrals,
              outreachPatients: targets.referralPatients.length
                ? targets.referralPatients
                : targets.patientIds,
            },
          },
          'write mix',
          true,
        );
        out(
          `referral transitions made: ${n(writes.result.referralsMoved)}; referrals still open for the next run: ${n(writes.result.referralsLeft)}`,
        );
      }

      // The light mix, so that what the re-match does to the reads is not hidden behind the
      // region-wide reads' own latency.
      if (only.has('rematch')) {
        const during = await run(
          {
            ...base,
            name: 're-match under read load',
            durationSeconds: duration,
            reads: light,
            rematch: {
              disruptionId: prepared.rematchDisruptionId,
              afterSeconds: 3,
              tailSeconds: 5,
            },
          },
          'light read mix + re-match',
          true,
        );
        const rematch = during.result.rematch;
        if (rematch) rematchPhases(during.result, rematch);
      }
      out();
      out(`load average at the end: ${load()}`);
      if (values.json)
        writeFileSync(values.json, JSON.stringify({ schema, scale, rows, report }, null, 2));
    } finally {
      if (server && server.exitCode === null) {
        const exited = new Promise((resolve) => server?.once('exit', resolve));
        server.kill('SIGTERM');
        await exited;
      }
    }
  });
} finally {
  await admin.end();
}

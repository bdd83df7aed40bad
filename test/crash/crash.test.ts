import { existsSync, readFileSync } from 'node:fs';
import type { Bundle, BundleEntry, Patient } from '@medplum/fhirtypes';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Context } from '../../src/context.ts';
import { tableCounts } from '../../src/db/backup.ts';
import { migrateToLatest } from '../../src/db/migrate.ts';
import { cliActor } from '../../src/modules/auth/policy.domain.ts';
import { systems } from '../../src/modules/fhir/fhir.domain.ts';
import { generateRegion } from '../../src/modules/seed/region.domain.ts';
import { bearerFor } from '../../src/test/harness.ts';
import { run, serve, sleep, start, type Child } from './children.ts';
import { crashEngines, type CrashEngine } from './engines.ts';

/*
 * SIGKILL in the middle of each long write, on the embedded database and on server PostgreSQL:
 * seeding, applying a disruption, committing a re-match plan and a FHIR transaction import. After
 * a restart on the same data each is wholly done or not done at all (the rows it writes are
 * counted), the audit chain verifies, and running it again succeeds and leaves it wholly done.
 *
 * Kill points: "progress" is the seed's first progress line, printed after its first INSERT,
 * inside its transaction; "request" is the server's log line for the incoming request; either
 * plus a delay. "audit-lock" (server PostgreSQL only) holds the audit chain's advisory lock, waits
 * until the child's transaction blocks on it while holding write locks on the operation's table
 * (every row written, nothing committed), and kills it there.
 */

type KillPoint = { after: 'progress' | 'request'; delayMs: number } | { at: 'audit-lock' };
type OperationName = 'seed' | 'apply' | 'commit' | 'import';
type State = Record<string, number>;

/** Patients in the imported transaction Bundle: enough that the import takes seconds. */
const importedPatients = 2_000;

const killPoints: Record<CrashEngine['name'], Record<OperationName, KillPoint[]>> = {
  pglite: {
    seed: [
      { after: 'progress', delayMs: 0 },
      { after: 'progress', delayMs: 1_500 },
    ],
    apply: [{ after: 'request', delayMs: 0 }],
    commit: [
      { after: 'request', delayMs: 0 },
      { after: 'request', delayMs: 250 },
    ],
    import: [
      { after: 'request', delayMs: 1_000 },
      { after: 'request', delayMs: 2_500 },
    ],
  },
  // Server PostgreSQL also stops each write at its audit event, every row written and nothing
  // committed, which a timed kill point cannot promise.
  postgres: {
    seed: [
      { after: 'progress', delayMs: 0 },
      { after: 'progress', delayMs: 1_500 },
    ],
    apply: [{ at: 'audit-lock' }, { after: 'request', delayMs: 0 }],
    commit: [
      { at: 'audit-lock' },
      { after: 'request', delayMs: 0 },
      { after: 'request', delayMs: 250 },
    ],
    import: [
      { at: 'audit-lock' },
      { after: 'request', delayMs: 1_000 },
      { after: 'request', delayMs: 2_500 },
    ],
  },
};

const describeKillPoint = (point: KillPoint) =>
  'at' in point ? 'blocked on the audit chain lock' : `${point.after} + ${point.delayMs} ms`;

const count = async (context: Context, query: ReturnType<typeof sql<{ n: number }>>) =>
  (await query.execute(context.db)).rows[0]?.n ?? -1;

const auditCount = (context: Context, action: string, extra = sql``) =>
  count(
    context,
    sql<{
      n: number;
    }>`select count(*)::int as n from audit_event where action = ${action} and outcome = 'allowed' ${extra}`,
  );

/** A transaction Bundle of new patients (no service area: each goes to the nearest). */
function patientBundle(): Bundle {
  const entry: BundleEntry[] = [];
  for (let i = 0; i < importedPatients; i++) {
    const patient: Patient = {
      resourceType: 'Patient',
      identifier: [{ system: systems.mrn, value: `CRASH-${String(i).padStart(5, '0')}` }],
      name: [{ given: ['Crash'], family: `Test${i}` }],
      birthDate: '1990-01-01',
      address: [
        {
          extension: [
            {
              url: 'http://hl7.org/fhir/StructureDefinition/geolocation',
              extension: [
                { url: 'latitude', valueDecimal: 34.17 + (i % 50) / 1000 },
                { url: 'longitude', valueDecimal: -118.6 },
              ],
            },
          ],
        },
      ],
    };
    entry.push({ resource: patient, request: { method: 'POST', url: 'Patient' } });
  }
  return { resourceType: 'Bundle', type: 'transaction', entry };
}

for (const { name, make } of crashEngines()) {
  describe(`killed in the middle of a long write [${name}]`, () => {
    let engine: CrashEngine;
    let authorization = '';
    let server: (Child & { url: string }) | undefined;
    const log: string[] = [];
    const began = Date.now();
    const note = (line: string) =>
      log.push(`${((Date.now() - began) / 1000).toFixed(1)} s  ${line}`);

    beforeAll(async () => {
      engine = await make();
      const context = await engine.open();
      try {
        await migrateToLatest(context.db);
        authorization = await bearerFor(context, 'admin');
      } finally {
        await context.close();
      }
    });
    afterAll(async () => {
      await server?.kill();
      process.stdout.write(`Crash tests [${name}]:\n${log.map((l) => `  ${l}\n`).join('')}`);
      await engine.dispose();
    });

    const ensureServer = async () => (server ??= await serve(engine.env));
    // Whether nothing but a killed attempt has run since the last check: then a write that did
    // not happen must leave every table's row count as that check found it.
    let quiet = false;
    /** The server's own time for the last call, in ms. */
    let served = -1;
    const call = async (method: string, path: string, body: unknown = {}) => {
      quiet = false;
      const running = await ensureServer();
      const response = await fetch(`${running.url}${path}`, {
        method,
        headers: { authorization, 'content-type': 'application/json' },
        ...(method === 'GET' ? {} : { body: JSON.stringify(body) }),
      });
      const text = await response.text();
      if (response.status >= 300) throw new Error(`${method} ${path}: ${response.status} ${text}`);
      // How long the server took, as it logged it.
      const id = response.headers.get('x-request-id') ?? '';
      const [, ms] = await running.waitFor(
        new RegExp(`"reqId":"${id}"[^\\n]*"responseTime":([\\d.]+)`),
        10_000,
      );
      served = Math.round(Number(ms));
      return JSON.parse(text) as unknown;
    };

    it('leaves each operation wholly done or not done, the audit chain whole, and lets it run again', async () => {
      const startedAt = Date.now();
      const points = killPoints[name];
      const expectedSeed = generateRegion({
        scale: 'demo',
        seed: 1,
        now: new Date(),
        timeZone: 'America/Los_Angeles',
      }).counts;
      const seedTables = Object.keys(expectedSeed) as (keyof typeof expectedSeed)[];

      /* What each operation writes, how that reads when it has not run and when it has. */
      interface Operation {
        name: OperationName;
        /** The table it writes that the audit-lock kill point checks it holds a write lock on. */
        table: string;
        state(context: Context): Promise<State>;
        none: State;
        /** The state after it committed `times` times. */
        done(times: number): State;
        /** What later operations leave as it was (default: all of its state). */
        kept?: string[];
        times: number;
        /** What it needs done first (on the server); before any kill point's set-up. */
        prepare?(): Promise<void>;
        /** Starts it in a child; `started` resolves once it is under way. */
        launch(): Promise<{ child: Child; started: Promise<unknown>; finished: () => boolean }>;
        /** Runs it again to its end; checks what it answered. */
        again(wasDone: boolean): Promise<void>;
      }

      // Filled in as the work goes: the demo strike, the plan, the rows there were before.
      let strikeId = '';
      let toCancel = -1;
      let runId = '';
      let approved = -1;
      let byOption = { group: -1, outside_provider: -1, individual: -1 };
      let before: Record<string, number> = {};
      let commitBase: Record<string, number> = {};
      const bundle = JSON.stringify(patientBundle());

      const viaServer = async (method: string, path: string, body: string) => {
        const running = await ensureServer();
        let answered = false;
        const request = fetch(`${running.url}${path}`, {
          method,
          headers: { authorization, 'content-type': 'application/json' },
          body,
        }).then(
          (response) => {
            answered = true;
            return response.status;
          },
          () => 'no answer',
        );
        const started = running.waitFor(
          new RegExp(`"url":"${path.replaceAll('/', '\\/')}"[^\\n]*"msg":"incoming request"`),
        );
        return { child: running, started, finished: () => answered, request };
      };

      const seed: Operation = {
        name: 'seed',
        table: 'patient',
        times: 0,
        async state(context) {
          const counts = await tableCounts(context.db);
          const state: State = { events: await auditCount(context, 'data.seed') };
          for (const table of seedTables) state[table] = counts[table] ?? -1;
          return state;
        },
        none: { events: 0, ...Object.fromEntries(seedTables.map((t) => [t, 0])) },
        done: (times) => ({ events: times, ...expectedSeed }),
        // Later steps add a disruption, enrollments, appointments and patients.
        kept: [
          'events',
          ...seedTables.filter(
            (t) => !['enrollment', 'appointment', 'patient', 'disruption'].includes(t),
          ),
        ],
        launch() {
          const child = start(['seed', '--scale', 'demo'], engine.env);
          return Promise.resolve({
            child,
            started: child.waitFor(/Seeding demo .*\d+\/\d+ rows/),
            finished: () => /100%/.test(child.output()),
          });
        },
        async again(wasDone) {
          const args = ['seed', '--scale', 'demo', '--json', ...(wasDone ? ['--replace'] : [])];
          const result = await run(args, engine.env);
          expect(result.code, result.output).toBe(0);
          expect(JSON.parse(result.stdout)).toMatchObject({ counts: expectedSeed });
        },
      };

      const apply: Operation = {
        name: 'apply',
        table: 'group_session',
        times: 0,
        async state(context) {
          const disruption = await context.db
            .selectFrom('disruption')
            .select('status')
            .where('id', '=', strikeId)
            .executeTakeFirstOrThrow();
          return {
            active: disruption.status === 'active' ? 1 : 0,
            cancelled: await count(
              context,
              sql`select count(*)::int as n from group_session where disruption_id = ${strikeId} and status = 'cancelled'`,
            ),
            events: await auditCount(context, 'disruption.apply'),
          };
        },
        none: { active: 0, cancelled: 0, events: 0 },
        done: () => ({ active: 1, cancelled: toCancel, events: 1 }),
        async prepare() {
          if (!strikeId) {
            // A whole service area closes from tomorrow on: hundreds of patients displaced, so
            // the commit has hundreds of proposals to carry out.
            const areas = (await call('GET', '/api/v1/service-areas')) as {
              items: { id: string }[];
            };
            const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
            const created = (await call('POST', '/api/v1/disruptions', {
              kind: 'strike',
              title: 'Crash test: a service area closes',
              scope: {
                clinicianIds: [],
                locationIds: [],
                groupIds: [],
                serviceAreaIds: [areas.items[0]?.id],
              },
              startsOn: tomorrow,
              endsOn: null,
            })) as { id: string };
            strikeId = created.id;
            const simulated = (await call('POST', `/api/v1/disruptions/${strikeId}/simulate`)) as {
              impact: { sessions: { toCancel: number } };
            };
            toCancel = simulated.impact.sessions.toCancel;
            expect(toCancel).toBeGreaterThan(0);
          }
        },
        launch() {
          return viaServer('POST', `/api/v1/disruptions/${strikeId}/apply`, '{}');
        },
        async again(wasDone) {
          const result = (await call('POST', `/api/v1/disruptions/${strikeId}/apply`)) as {
            sessionsCancelled: number;
          };
          expect(result.sessionsCancelled).toBe(wasDone ? 0 : toCancel);
        },
      };

      const commitState = async (context: Context): Promise<State> => {
        const counts = await tableCounts(context.db);
        return {
          committed: await count(
            context,
            sql`select count(*)::int as n from match_proposal where run_id = ${runId} and decision = 'committed'`,
          ),
          enrollment: counts.enrollment ?? -1,
          referral: counts.referral ?? -1,
          appointment: counts.appointment ?? -1,
          events: await auditCount(context, 'match_run.commit'),
        };
      };
      const commit: Operation = {
        name: 'commit',
        table: 'match_proposal',
        times: 0,
        state: commitState,
        none: {},
        done: () => ({
          committed: approved,
          enrollment: (commitBase.enrollment ?? 0) + byOption.group,
          referral: (commitBase.referral ?? 0) + byOption.outside_provider,
          appointment: (commitBase.appointment ?? 0) + byOption.individual,
          events: approved,
        }),
        async prepare() {
          if (!runId) {
            // The plan adds no enrollment, referral or appointment: the counts are those of the
            // last check.
            commitBase = before;
            const plan = (await call('POST', `/api/v1/disruptions/${strikeId}/rematch`)) as {
              id: string;
              stats: { byOption: typeof byOption };
            };
            runId = plan.id;
            byOption = plan.stats.byOption;
            const decided = (await call('POST', `/api/v1/match-runs/${runId}/decisions`, {
              decision: 'approved',
            })) as { changed: number };
            approved = decided.changed;
            // Every proposal approved: placed or not, each is carried out.
            expect(approved).toBe(Object.values(plan.stats.byOption).reduce((a, b) => a + b, 0));
            expect(byOption.group + byOption.outside_provider).toBeGreaterThan(0);
            this.none = {
              committed: 0,
              enrollment: commitBase.enrollment ?? -1,
              referral: commitBase.referral ?? -1,
              appointment: commitBase.appointment ?? -1,
              events: 0,
            };
          }
        },
        launch() {
          return viaServer('POST', `/api/v1/match-runs/${runId}/commit`, '{}');
        },
        async again(wasDone) {
          const result = (await call('POST', `/api/v1/match-runs/${runId}/commit`)) as {
            committed: { enrollments: number; referrals: number; appointments: number };
            conflicts: unknown[];
          };
          expect(result.conflicts).toEqual([]);
          expect(result.committed).toMatchObject(
            wasDone
              ? { enrollments: 0, referrals: 0, appointments: 0 }
              : {
                  enrollments: byOption.group,
                  referrals: byOption.outside_provider,
                  appointments: byOption.individual,
                },
          );
        },
      };

      let patientsBefore = -1;
      const fhirImport: Operation = {
        name: 'import',
        table: 'patient',
        times: 0,
        async state(context) {
          return {
            patients: (await tableCounts(context.db)).patient ?? -1,
            imported: await count(
              context,
              sql`select count(*)::int as n from patient where mrn like 'CRASH-%'`,
            ),
            events: await auditCount(context, 'fhir.import', sql`and entity = 'Patient'`),
          };
        },
        none: {},
        done: (times) => ({
          patients: patientsBefore + importedPatients,
          imported: importedPatients,
          events: times * importedPatients,
        }),
        prepare() {
          if (patientsBefore < 0) {
            patientsBefore = before.patient ?? -1;
            this.none = { patients: patientsBefore, imported: 0, events: 0 };
          }
          return Promise.resolve();
        },
        launch() {
          return viaServer('POST', '/fhir/R4', bundle);
        },
        async again(wasDone) {
          const response = (await call('POST', '/fhir/R4', JSON.parse(bundle))) as Bundle;
          const statuses = new Set(response.entry?.map((e) => e.response?.status));
          expect([...statuses]).toEqual([wasDone ? '200 OK' : '201 Created']);
        },
      };

      const operations = [seed, apply, commit, fhirImport];
      const finished: Operation[] = [];

      /** Opens the database as the next start does, and checks every operation's rows. */
      const check = async (current: Operation | undefined, killed: Child | undefined) => {
        if (engine.lockFile && killed && (await killed.exited) === 'SIGKILL') {
          // SIGKILL leaves the lock behind, naming a process that no longer runs...
          expect(existsSync(engine.lockFile), 'the killed process left its lock').toBe(true);
          expect(readFileSync(engine.lockFile, 'utf8').trim()).toBe(String(killed.pid));
        }
        // ...and the next start takes it over.
        const context = await engine.open();
        try {
          let outcome: 'not done' | 'done' | undefined;
          if (current) {
            const state = await current.state(context);
            if (current.times === 0 && JSON.stringify(state) === JSON.stringify(current.none)) {
              outcome = 'not done';
              if (quiet)
                expect(await tableCounts(context.db), 'a killed write left rows').toEqual(before);
            } else {
              expect(state, `${current.name} is only partly done`).toEqual(current.done(1));
              outcome = 'done';
              current.times = 1;
            }
          }
          for (const operation of finished) {
            const keep = (state: State) =>
              Object.fromEntries(
                Object.entries(state).filter(([key]) => operation.kept?.includes(key) ?? true),
              );
            expect(keep(await operation.state(context)), `${operation.name} stays done`).toEqual(
              keep(operation.done(operation.times)),
            );
          }
          const verified = await context.servicesFor(cliActor('crash-test')).audit.verify();
          expect(verified).toMatchObject({ intact: true });
          before = await tableCounts(context.db);
          quiet = true;
          return outcome;
        } finally {
          await context.close();
        }
      };

      await check(undefined, undefined);
      for (const operation of operations) {
        for (const point of points[operation.name]) {
          if (operation.times > 0) {
            note(`${operation.name}: ${describeKillPoint(point)} skipped: it is already done`);
            continue;
          }
          await operation.prepare?.();
          const hold = 'at' in point ? await engine.holdAuditChain?.() : undefined;
          if ('at' in point && !hold) throw new Error('the audit-lock kill point needs a server');
          let child: Child | undefined;
          try {
            const launched = await operation.launch();
            child = launched.child;
            if (hold) await hold.blocked(operation.table);
            else {
              await launched.started;
              if ('delayMs' in point) await sleep(point.delayMs);
            }
            const answeredFirst = launched.finished();
            await child.kill();
            if (child === server) server = undefined;
            await hold?.release();
            await engine.settle();
            const outcome = await check(operation, child);
            note(
              `${operation.name}: killed at ${describeKillPoint(point)}${answeredFirst ? ' (it had answered)' : ''}: ${outcome}`,
            );
          } finally {
            await hold?.release();
          }
        }
        // The operation again, on a fresh start, to its end.
        const wasDone = operation.times > 0;
        quiet = false;
        const againAt = Date.now();
        served = -1;
        await operation.again(wasDone);
        note(
          `${operation.name} again: ${served >= 0 ? `the server took ${served} ms` : `${Date.now() - againAt} ms with the process start`}`,
        );
        if (!wasDone || operation.name === 'import' || operation.name === 'seed')
          operation.times += 1;
        finished.push(operation);
        if (!server || engine.name === 'postgres') {
          await check(undefined, undefined);
        }
      }

      // A service manager's stop: the lock goes with the process, and the next start finds
      // everything done and the chain whole, as `continuity audit verify` says.
      if (server) {
        server.process.kill('SIGTERM');
        expect(await server.exited).toBe(0);
        server = undefined;
      }
      if (engine.lockFile) expect(existsSync(engine.lockFile)).toBe(false);
      await check(undefined, undefined);
      const verified = await run(['audit', 'verify', '--json'], engine.env);
      expect(verified.code, verified.output).toBe(0);
      expect(JSON.parse(verified.stdout)).toMatchObject({ intact: true });
      note(`all of it took ${Date.now() - startedAt} ms`);
    }, 600_000);
  });
}

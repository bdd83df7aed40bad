import { mkdtemp, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { OperationOutcome, Resource } from '@medplum/fhirtypes';
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Context } from '../../context.ts';
import { buildApp } from '../../http/app.ts';
import { cliActor } from '../auth/policy.domain.ts';
import {
  actingAs,
  auditEvents,
  bearerFor,
  createTestContext,
  testEngines,
  testNow,
} from '../../test/harness.ts';
import { exportFhir } from '../../cli/export-commands.ts';
import {
  isStalled,
  parseExportRequest,
  progressText,
  requireRespondAsync,
  type Manifest,
} from './export.domain.ts';
import { createExportService } from './export.service.ts';
import { exportJobsOf } from './export-jobs.ts';
import { sources } from './sources.ts';

/*
 * Bulk Data export through the HTTP routes, as a Bulk Data client drives it (kick-off, poll,
 * download), on the demo region; and the CLI's folder export against the same files.
 */

const prefer = { prefer: 'respond-async' };

interface Suite {
  context: Context & { dispose(): Promise<void> };
  raw: FastifyInstance;
  app: FastifyInstance;
  dataDir: string;
}

/** Where a path of the FHIR base points, as inject wants it. */
const pathOf = (url: string) => {
  const parsed = new URL(url);
  return parsed.pathname + parsed.search;
};

async function kickOff(app: FastifyInstance, url: string): Promise<string> {
  const response = await app.inject({ method: 'GET', url, headers: prefer });
  if (response.statusCode !== 202)
    throw new Error(`GET ${url} answered ${response.statusCode}: ${response.body}`);
  const location = response.headers['content-location'];
  if (typeof location !== 'string') throw new Error('no Content-Location');
  return location;
}

/** Kicks off, waits for the job, and answers the completed status's manifest. */
async function exportAll(suite: Suite, url: string): Promise<Manifest> {
  const location = await kickOff(suite.app, url);
  await exportJobsOf(suite.context.db).settled();
  const status = await suite.app.inject({ method: 'GET', url: pathOf(location) });
  if (status.statusCode !== 200)
    throw new Error(`status answered ${status.statusCode}: ${status.body}`);
  return status.json<Manifest>();
}

/** Each output file's resources, downloaded through the file route. */
async function download(app: FastifyInstance, manifest: Manifest) {
  const files = new Map<string, Resource[]>();
  for (const output of manifest.output) {
    const response = await app.inject({ method: 'GET', url: pathOf(output.url) });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^application\/fhir\+ndjson/);
    const lines = response.body.split('\n');
    expect(lines.pop()).toBe('');
    files.set(
      output.type,
      lines.map((line) => JSON.parse(line) as Resource),
    );
  }
  return files;
}

/** Every resource of a type, read through its source page by page (what an export must hold). */
async function sourceCount(context: Context, type: string): Promise<number> {
  const source = sources.get(type as never);
  if (!source) return 0;
  let count = 0;
  let after: string | null = null;
  for (;;) {
    const found = await source.search(
      context.db,
      { params: new Map(), count: 1000, after },
      { patients: true, groupId: null },
    );
    count += Math.min(found.length, 1000);
    if (found.length <= 1000) return count;
    after = found[999]?.key ?? null;
  }
}

describe('export parameters', () => {
  const available = [
    { type: 'Organization', patientCompartment: false },
    { type: 'Patient', patientCompartment: true },
    { type: 'Appointment', patientCompartment: true },
  ] as const;
  const parse = (query: Record<string, string>, group = false) =>
    parseExportRequest(query, [...available], group);

  it.each([
    [{}, false, ['Organization', 'Patient', 'Appointment']],
    [{}, true, ['Patient', 'Appointment']],
    [{ _type: 'Appointment,Patient' }, false, ['Patient', 'Appointment']],
    [{ _type: 'Patient', _outputFormat: 'application/fhir+ndjson' }, false, ['Patient']],
    [{ _outputFormat: 'ndjson' }, true, ['Patient', 'Appointment']],
  ])('takes %o (group %s) as %o', (query, group, types) => {
    expect(parse(query, group).types).toEqual(types);
  });

  it.each([
    [{ _type: 'Organization' }, true, '_type'],
    [{ _type: 'Observation' }, false, '_type'],
    [{ _type: 'Patient,' }, false, '_type'],
    [{ _since: '2025-01-01' }, false, '_since'],
    [{ _since: '2025-02-30T00:00:00Z' }, false, '_since'],
    [{ _since: '2025-01-01T00:00:00' }, false, '_since'],
    [{ _outputFormat: 'application/fhir+json' }, false, '_outputFormat'],
    [{ patient: 'Patient/1' }, false, 'patient'],
  ])('refuses %o (group %s), naming %s', (query, group, param) => {
    expect(() => parse(query, group)).toThrow(
      expect.objectContaining({
        code: 'VALIDATION_FAILED',
        details: { issues: [expect.objectContaining({ field: `query.${param}` })] },
      }),
    );
  });

  it('reads _since as an instant with its zone', () => {
    expect(parse({ _since: '2025-03-01T08:00:00-08:00' }).since?.toISOString()).toBe(
      '2025-03-01T16:00:00.000Z',
    );
    expect(parse({}).since).toBeNull();
  });

  it('needs Prefer: respond-async, among other preferences or alone', () => {
    expect(() => {
      requireRespondAsync(undefined);
    }).toThrow('respond-async');
    expect(() => {
      requireRespondAsync('return=minimal');
    }).toThrow('respond-async');
    expect(() => {
      requireRespondAsync('return=minimal, respond-async');
    }).not.toThrow();
    expect(() => {
      requireRespondAsync('Respond-Async');
    }).not.toThrow();
  });

  it('takes a running job for dead after ten minutes without a page', () => {
    const start = new Date('2025-03-03T17:00:00Z');
    const at = (minutes: number) => new Date(start.getTime() + minutes * 60_000);
    expect(isStalled({ transactionTime: start, progress: {} }, at(10))).toBe(false);
    expect(isStalled({ transactionTime: start, progress: {} }, at(11))).toBe(true);
    const alive = { transactionTime: start, progress: { Patient: 5000, at: at(30).getTime() } };
    expect(isStalled(alive, at(39))).toBe(false);
    expect(isStalled(alive, at(41))).toBe(true);
  });

  it('says how far a job has got', () => {
    expect(progressText(['Patient', 'Group'], {})).toBe('0 of 2 types done; 0 resources written');
    expect(progressText(['Patient', 'Group'], { Patient: 1000, Group: 20 })).toBe(
      '1 of 2 types done; 1020 resources written; writing Group',
    );
  });
});

for (const engine of testEngines()) {
  describe(`FHIR bulk export [${engine.name}]`, () => {
    let suite: Suite | undefined;
    const use = () => {
      if (!suite) throw new Error('The suite is not ready.');
      return suite;
    };
    beforeAll(async () => {
      const dataDir = await mkdtemp(join(tmpdir(), 'continuity-export-'));
      const context = await createTestContext(engine, undefined, { DATA_DIR: dataDir });
      const raw = await buildApp(context, { logger: false });
      await raw.ready();
      await context.servicesFor(cliActor('test')).seed.seed({ scale: 'demo', seed: 1 });
      suite = { context, raw, app: actingAs(raw, await bearerFor(context, 'admin')), dataDir };
    }, 120_000);
    afterAll(async () => {
      await suite?.raw.close();
      await suite?.context.dispose();
      if (suite) await rm(suite.dataDir, { recursive: true, force: true });
    });

    it('refuses a kick-off without Prefer: respond-async, and bad parameters, as OperationOutcome', async () => {
      const { app } = use();
      const noPrefer = await app.inject({ method: 'GET', url: '/fhir/R4/$export' });
      expect(noPrefer.statusCode).toBe(400);
      expect(noPrefer.json<OperationOutcome>().issue[0]?.expression).toEqual(['headers.prefer']);
      for (const query of [
        '_outputFormat=text/csv',
        '_type=Patient,Observation',
        '_since=2025-01-01',
        '_typeFilter=Patient%3Factive%3Dtrue',
      ]) {
        const bad = await app.inject({
          method: 'GET',
          url: `/fhir/R4/$export?${query}`,
          headers: prefer,
        });
        expect(bad.statusCode, query).toBe(400);
        expect(bad.json<OperationOutcome>().resourceType).toBe('OperationOutcome');
      }
    });

    it('exports everything: 202 and Content-Location, then a manifest whose files hold every resource once', async () => {
      const s = use();
      const location = await kickOff(s.app, '/fhir/R4/$export');
      expect(location).toMatch(/\/fhir\/R4\/\$export-status\/[0-9a-f-]{36}$/);
      const jobId = location.split('/').at(-1) ?? '';
      await exportJobsOf(s.context.db).settled();
      const status = await s.app.inject({ method: 'GET', url: pathOf(location) });
      expect(status.statusCode).toBe(200);
      const manifest = status.json<Manifest>();
      expect(manifest.requiresAccessToken).toBe(true);
      expect(manifest.request).toMatch(/\/fhir\/R4\/\$export$/);
      expect(manifest.error).toEqual([]);

      const patients = await s.context.db
        .selectFrom('patient')
        .select(sql<number>`count(*)::int`.as('n'))
        .executeTakeFirstOrThrow();
      expect(manifest.output.find((o) => o.type === 'Patient')?.count).toBe(patients.n);
      const expected: { type: string; count: number }[] = [];
      for (const type of sources.keys()) {
        // The audit trail grows as the export runs; its count is checked by lines below.
        if (type === 'AuditEvent') continue;
        const count = await sourceCount(s.context, type);
        if (count > 0) expected.push({ type, count });
      }
      expect(
        manifest.output
          .filter((o) => o.type !== 'AuditEvent')
          .map((o) => ({ type: o.type, count: o.count })),
      ).toEqual(expected);

      const files = await download(s.app, manifest);
      for (const output of manifest.output) {
        const resources = files.get(output.type) ?? [];
        expect(resources).toHaveLength(output.count);
        expect(resources.every((r) => r.resourceType === output.type)).toBe(true);
        expect(new Set(resources.map((r) => r.id)).size).toBe(output.count);
      }
      const dbIds = await s.context.db.selectFrom('patient').select('id').orderBy('id').execute();
      expect((files.get('Patient') ?? []).map((r) => r.id)).toEqual(dbIds.map((r) => r.id));

      // The kick-off as one event; each patient once, however many resources name them.
      const label = (await auditEvents(s.context, { action: 'fhir.export.start' })).at(-1);
      expect(label?.entity_id).toBe(jobId);
      const perPatient = (await auditEvents(s.context, { action: 'fhir.export' })).filter(
        (e) => e.entity_id === jobId,
      );
      expect(perPatient).toHaveLength(patients.n);
      expect(new Set(perPatient.map((e) => e.patient_id)).size).toBe(patients.n);
    });

    it('filters by _type and _since', async () => {
      const s = use();
      const some = await s.context.db
        .selectFrom('patient')
        .select('id')
        .orderBy('id', 'desc')
        .limit(3)
        .execute();
      await s.context.db
        .updateTable('patient')
        .set({ updated_at: new Date('2030-01-02T00:00:00Z') })
        .where(
          'id',
          'in',
          some.map((p) => p.id),
        )
        .execute();
      const manifest = await exportAll(
        s,
        '/fhir/R4/$export?_type=Patient&_since=2030-01-01T00:00:00Z',
      );
      expect(manifest.output.map((o) => o.type)).toEqual(['Patient']);
      const files = await download(s.app, manifest);
      expect((files.get('Patient') ?? []).map((r) => r.id).sort()).toEqual(
        some.map((p) => p.id).sort(),
      );

      const nothing = await exportAll(
        s,
        '/fhir/R4/$export?_type=Patient&_since=2031-01-01T00:00:00Z',
      );
      expect(nothing.output).toEqual([]);
      // An empty type leaves no file behind.
      const jobs = await s.context.db
        .selectFrom('bulk_export')
        .select('id')
        .orderBy('id', 'desc')
        .limit(1)
        .executeTakeFirstOrThrow();
      expect(await readdir(join(s.dataDir, 'exports', jobs.id))).toEqual([]);
    });

    it("exports a Group's members' data only, and answers 404 for a group that does not exist", async () => {
      const s = use();
      const group = await s.context.db
        .selectFrom('enrollment')
        .select(['group_id', sql<number>`count(*)::int`.as('n')])
        .groupBy('group_id')
        .orderBy(sql`count(*)`, 'desc')
        .limit(1)
        .executeTakeFirstOrThrow();
      const members = await s.context.db
        .selectFrom('enrollment')
        .select('patient_id')
        .distinct()
        .where('group_id', '=', group.group_id)
        .execute();
      const memberIds = new Set(members.map((m) => m.patient_id));

      const manifest = await exportAll(s, `/fhir/R4/Group/${group.group_id}/$export`);
      const compartment = [...sources.values()].filter((source) => source.patientCompartment);
      expect(manifest.output.every((o) => compartment.some((c) => c.type === o.type))).toBe(true);
      const files = await download(s.app, manifest);
      expect(new Set((files.get('Patient') ?? []).map((r) => r.id))).toEqual(memberIds);
      // Whatever else the files hold names members only.
      for (const [type, resources] of files) {
        const named = JSON.stringify(resources).matchAll(/"Patient\/([0-9a-f-]{36})"/g);
        for (const [, id] of named)
          expect(memberIds.has(id ?? ''), `${type} names ${id}`).toBe(true);
      }

      const missing = await s.app.inject({
        method: 'GET',
        url: '/fhir/R4/Group/0190f0a0-0000-7000-8000-000000000000/$export',
        headers: prefer,
      });
      expect(missing.statusCode).toBe(404);
      expect(missing.json<OperationOutcome>().issue[0]?.code).toBe('not-found');
    });

    it('is for fhir:export holders only: a coordinator gets 403 at every step', async () => {
      const s = use();
      const location = await kickOff(s.app, '/fhir/R4/$export?_type=Patient');
      await exportJobsOf(s.context.db).settled();
      const coordinator = actingAs(s.raw, await bearerFor(s.context, 'coordinator'));
      const manifest = (
        await s.app.inject({ method: 'GET', url: pathOf(location) })
      ).json<Manifest>();
      for (const [method, url] of [
        ['GET', '/fhir/R4/$export'],
        ['GET', pathOf(location)],
        ['DELETE', pathOf(location)],
        ['GET', pathOf(manifest.output[0]?.url ?? '')],
      ] as const) {
        const response = await coordinator.inject({ method, url, headers: prefer });
        expect(response.statusCode, `${method} ${url}`).toBe(403);
      }
    });

    it('cancels a running export: 202, then the status and the files are gone', async () => {
      const s = use();
      const location = await kickOff(s.app, '/fhir/R4/$export');
      const jobId = location.split('/').at(-1) ?? '';
      const before = await s.context.db
        .selectFrom('bulk_export')
        .select('status')
        .where('id', '=', jobId)
        .executeTakeFirstOrThrow();
      // The demo region takes far longer to write than this request takes to arrive.
      expect(before.status).toBe('in_progress');
      const cancel = await s.app.inject({ method: 'DELETE', url: pathOf(location) });
      expect(cancel.statusCode).toBe(202);
      await exportJobsOf(s.context.db).settled();
      const status = await s.app.inject({ method: 'GET', url: pathOf(location) });
      expect(status.statusCode).toBe(404);
      const job = await s.context.db
        .selectFrom('bulk_export')
        .select('status')
        .where('id', '=', jobId)
        .executeTakeFirstOrThrow();
      expect(job.status).toBe('cancelled');
      expect(await readdir(join(s.dataDir, 'exports'))).not.toContain(jobId);
      const again = await s.app.inject({ method: 'DELETE', url: pathOf(location) });
      expect(again.statusCode).toBe(404);
    });

    it('reports progress while running, and serves no file before the end', async () => {
      const s = use();
      const location = await kickOff(s.app, '/fhir/R4/$export');
      const running = await s.app.inject({ method: 'GET', url: pathOf(location) });
      const jobId = location.split('/').at(-1) ?? '';
      const early = await s.app.inject({
        method: 'GET',
        url: `/fhir/R4/$export-file/${jobId}/Patient.ndjson`,
      });
      await exportJobsOf(s.context.db).settled();
      // The job may already be done on a fast machine; while running it says how far it is.
      if (running.statusCode === 202) {
        expect(running.headers['x-progress']).toMatch(/types done/);
        expect(running.headers['retry-after']).toBe('2');
        expect(early.statusCode).toBe(404);
      } else expect(running.statusCode).toBe(200);
      const done = await s.app.inject({ method: 'GET', url: pathOf(location) });
      expect(done.statusCode).toBe(200);
    });

    it('marks a job failed, naming no patient, when it cannot write; 500 with an OperationOutcome', async () => {
      const s = use();
      const exports = join(s.dataDir, 'exports');
      await rename(exports, `${exports}.aside`);
      await writeFile(exports, 'not a folder');
      try {
        const location = await kickOff(s.app, '/fhir/R4/$export?_type=Patient');
        await exportJobsOf(s.context.db).settled();
        const status = await s.app.inject({ method: 'GET', url: pathOf(location) });
        expect(status.statusCode).toBe(500);
        const outcome = status.json<OperationOutcome>();
        expect(outcome.issue[0]?.diagnostics).toMatch(/^The export failed \(ENOTDIR\)/);
      } finally {
        await rm(exports);
        await rename(`${exports}.aside`, exports);
      }
    });

    it('deletes finished exports after seven days, at the next kick-off', async () => {
      const s = use();
      const old = await exportAll(s, '/fhir/R4/$export?_type=Group');
      const oldId = old.output[0]?.url.split('/').at(-2) ?? '';
      const dayMs = 24 * 3600_000;
      await s.context.db
        .updateTable('bulk_export')
        .set({ completed_at: new Date(new Date(testNow).getTime() - 7 * dayMs - 1000) })
        .where('id', '=', oldId)
        .execute();
      const fresh = await exportAll(s, '/fhir/R4/$export?_type=Group');
      const freshStatus = await s.app.inject({
        method: 'GET',
        url: `/fhir/R4/$export-status/${fresh.output[0]?.url.split('/').at(-2) ?? ''}`,
      });
      expect(new Date(freshStatus.headers.expires as string).getTime()).toBe(
        Math.floor(new Date(testNow).getTime() / 1000) * 1000 + 7 * dayMs,
      );
      const gone = await s.app.inject({ method: 'GET', url: `/fhir/R4/$export-status/${oldId}` });
      expect(gone.statusCode).toBe(404);
      expect(await readdir(join(s.dataDir, 'exports'))).not.toContain(oldId);
    });

    it('answers a job whose server died (nothing written for ten minutes) as failed', async () => {
      const s = use();
      const id = '0190f0a0-0000-7000-8000-0000000000aa';
      await s.context.db
        .insertInto('bulk_export')
        .values({
          id,
          requested_by: 'test',
          request_url: 'http://localhost/fhir/R4/$export',
          types: ['Patient'],
          transaction_time: new Date(new Date(testNow).getTime() - 11 * 60_000),
          progress: sql<never>`'{"Patient": 1000, "at": 0}'::jsonb`,
        })
        .execute();
      const status = await s.app.inject({ method: 'GET', url: `/fhir/R4/$export-status/${id}` });
      expect(status.statusCode).toBe(500);
      expect(status.json<OperationOutcome>().issue[0]?.diagnostics).toMatch(
        /the server writing it stopped/,
      );
    });

    it('stops its jobs when the server closes, marking them failed', async () => {
      const s = use();
      const other = await buildApp(s.context, { logger: false });
      await other.ready();
      const location = await kickOff(
        actingAs(other, await bearerFor(s.context, 'admin')),
        '/fhir/R4/$export',
      );
      await other.close();
      const jobId = location.split('/').at(-1) ?? '';
      const job = await s.context.db
        .selectFrom('bulk_export')
        .select(['status', 'error'])
        .where('id', '=', jobId)
        .executeTakeFirstOrThrow();
      expect(job).toEqual({
        status: 'failed',
        error: expect.stringMatching(/\(the server stopped\)/) as string,
      });
      expect(await readdir(join(s.dataDir, 'exports'))).not.toContain(jobId);
    });

    it('writes the same files into a folder from the CLI', async () => {
      const s = use();
      const manifest = await exportAll(s, '/fhir/R4/$export');
      const out = join(s.dataDir, 'cli-out');
      const service = createExportService({
        db: s.context.db,
        clock: s.context.clock,
        config: s.context.config,
        access: s.context.accessFor(cliActor('test')),
      });
      const written = await exportFhir(service, { out });
      const counts = (m: Manifest) =>
        m.output.filter((o) => o.type !== 'AuditEvent').map((o) => [o.type, o.count]);
      expect(counts(written)).toEqual(counts(manifest));
      const files = await download(s.app, manifest);
      for (const output of written.output) {
        if (output.type === 'AuditEvent') continue;
        const text = await readFile(join(out, `${output.type}.ndjson`), 'utf8');
        const served = (files.get(output.type) ?? []).map((r) => JSON.stringify(r));
        expect(text).toBe(served.map((line) => `${line}\n`).join(''));
      }
      expect(written.output[0]?.url).toMatch(/^file:\/\//);
      await expect(exportFhir(service, { out })).rejects.toThrow('already holds NDJSON files');
    });
  });
}

import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { beforeAll, describe, expect, it } from 'vitest';
import { cliActor, type Role } from '../auth/policy.domain.ts';
import { actingAs, auditEvents, bearerFor, describeEachEngine } from '../../test/harness.ts';
import { softwareVersion } from '../../shared/version.ts';
import type { IssuedReport } from './report-formats.ts';

/* The disruption report over HTTP: formats, evidence, editions by role, and bad requests. */

const sha256 = (body: Buffer | string) => createHash('sha256').update(body).digest('hex');

/** The error code of a refusal, or null for an answer that is not one. */
function codeOf(response: { statusCode: number; body: string }): string | null {
  if (response.statusCode < 400) return null;
  return (JSON.parse(response.body) as { error: { code: string } }).error.code;
}

describeEachEngine('the disruption report', (use) => {
  let strikeId = '';
  const url = (query = '') => `/api/v1/reports/disruptions/${strikeId}${query}`;
  const as = async (role: Role) => actingAs(use().raw, await bearerFor(use().context, role));

  beforeAll(async () => {
    const { context } = use();
    const services = context.servicesFor(cliActor('test'));
    await services.seed.seed({ scale: 'demo', seed: 1 });
    const [strike] = (await services.disruptions.list({ status: 'draft' }, { limit: 5 })).items;
    if (!strike) throw new Error('the demo seed has a draft strike');
    strikeId = strike.id;
    await services.disruptions.apply(strikeId);
    const run = await services.matching.rematch(strikeId);
    await services.matching.decideMany(run.id, 'approved', null);
    await services.matching.commit(run.id);
  });

  it('answers JSON with its evidence, and records the digests of what it gave', async () => {
    const { app, context } = use();
    const response = await app.inject({ method: 'GET', url: url('?format=json') });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    expect(response.headers['x-content-sha256']).toBe(sha256(response.rawPayload));
    const report = response.json<IssuedReport>();
    expect(report.edition).toBe('deidentified');
    expect(report.applied).toBe(true);
    expect(report.evidence).toMatchObject({
      asOf: context.clock.now().toISOString(),
      generatedAt: context.clock.now().toISOString(),
      softwareVersion,
    });
    expect(report.evidence.contentSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(report.tables.map((t) => t.id)).not.toContain('patients');

    const issued = (await auditEvents(context, { action: 'report.issue' })).filter(
      (e) => e.detail.fileSha256 === sha256(response.rawPayload),
    );
    expect(issued).toHaveLength(1);
    expect(issued[0]).toMatchObject({
      entity: 'disruption',
      entity_id: strikeId,
      patient_id: null,
      detail: { contentSha256: report.evidence.contentSha256, format: 'json' },
    });
  });

  it('prints as standalone HTML with its charts and the digest of its content', async () => {
    const { app } = use();
    const response = await app.inject({ method: 'GET', url: url('?format=html') });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/html/);
    const html = response.body;
    expect(html).toContain('<title>Disruption continuity report: Woodland Hills');
    expect(html.match(/<svg/g)?.length ?? 0).toBeGreaterThanOrEqual(3);
    expect(html).not.toMatch(/<script|src="http|href="http/);
    const digest = /<meta name="continuity-content-sha256" content="([0-9a-f]{64})">/.exec(html);
    expect(digest).not.toBeNull();
    expect(html).toContain(`sha256:${digest?.[1] ?? ''}`);
  });

  it('gives each table as CSV, and lists the tables when asked for one it lacks', async () => {
    const { app } = use();
    const summary = await app.inject({ method: 'GET', url: url('?format=csv') });
    expect(summary.statusCode).toBe(200);
    expect(summary.headers['content-disposition']).toMatch(/summary\.csv"$/);
    const rows = parse<Record<string, string>>(summary.body, { comment: '#', columns: true });
    expect(Object.keys(rows[0] ?? {})).toEqual([
      'figure',
      'numerator',
      'denominator',
      'rate',
      'definition',
    ]);
    expect(rows[0]?.figure).toBe('Patients displaced');
    expect(summary.body).toMatch(/^# content sha256:[0-9a-f]{64}$/m);

    const deadlines = await app.inject({ method: 'GET', url: url('?format=csv&table=deadlines') });
    expect(deadlines.body.split('\n')[0]).toContain('Seen in time');

    const unknown = await app.inject({ method: 'GET', url: url('?format=csv&table=nope') });
    expect(codeOf(unknown)).toBe('VALIDATION_FAILED');
    expect(
      unknown.json<{ error: { details: { tables: string[] } } }>().error.details.tables,
    ).toEqual(expect.arrayContaining(['summary', 'placement', 'waiting']));
  });

  it.runIf(existsSync('/usr/bin/chromium') || process.env.CI === 'true')(
    'prints to PDF with Chromium',
    async () => {
      const { app } = use();
      const response = await app.inject({ method: 'GET', url: url('?format=pdf') });
      expect(response.statusCode).toBe(200);
      expect(response.headers['content-type']).toBe('application/pdf');
      expect(response.rawPayload.subarray(0, 5).toString('latin1')).toBe('%PDF-');
      expect(response.headers['x-content-sha256']).toBe(sha256(response.rawPayload));
    },
    60_000,
  );

  it('names patients only in the full edition, and audits each one it names', async () => {
    const { app, context } = use();
    const patients = await context.db.selectFrom('patient').select(['id', 'name', 'mrn']).execute();
    const shared = await app.inject({ method: 'GET', url: url('?format=html') });
    const named = (body: string) =>
      patients.filter((p) => body.includes(p.name) || body.includes(p.mrn));
    expect(named(shared.body)).toEqual([]);

    const before = (await auditEvents(context, { action: 'report.issue' })).length;
    const full = await app.inject({ method: 'GET', url: url('?format=json&edition=full') });
    expect(full.statusCode).toBe(200);
    const table = full.json<IssuedReport>().tables.find((t) => t.id === 'patients');
    const mrns = new Set(table?.rows.map((r) => r.mrn));
    expect(mrns.size).toBeGreaterThan(40);
    const events = (await auditEvents(context, { action: 'report.issue' })).slice(before);
    const audited = new Set(events.flatMap((e) => (e.patient_id === null ? [] : [e.patient_id])));
    const byMrn = new Map(patients.map((p) => [p.mrn, p.id]));
    expect(audited).toEqual(new Set([...mrns].map((m) => byMrn.get(String(m)))));
  });

  it('gives the auditor the de-identified edition only, and refuses those without aggregates', async () => {
    const auditor = await as('auditor');
    expect((await auditor.inject({ method: 'GET', url: url() })).statusCode).toBe(200);
    const full = await auditor.inject({ method: 'GET', url: url('?edition=full') });
    expect(codeOf(full)).toBe('FORBIDDEN');
    const denied = await auditEvents(use().context, { action: 'report.issue', outcome: 'denied' });
    expect(denied.some((e) => e.entity_id === strikeId)).toBe(true);

    const compliance = await as('compliance');
    expect((await compliance.inject({ method: 'GET', url: url('?edition=full') })).statusCode).toBe(
      200,
    );
    const clinician = await as('clinician');
    expect(codeOf(await clinician.inject({ method: 'GET', url: url() }))).toBe('FORBIDDEN');
    const nobody = await use().app.inject({
      method: 'GET',
      url: url(),
      headers: { authorization: '' },
    });
    expect(codeOf(nobody)).toBe('UNAUTHENTICATED');
  });

  describe('refuses a bad request with a stable code, and writes nothing', () => {
    it.each([
      [
        'an unknown disruption',
        '/api/v1/reports/disruptions/0190a000-0000-7000-8000-000000000000',
        'NOT_FOUND',
      ],
      ['an id that is not one', '/api/v1/reports/disruptions/not-an-id', 'VALIDATION_FAILED'],
    ])('%s', async (_name, path, code) => {
      expect(codeOf(await use().app.inject({ method: 'GET', url: path }))).toBe(code);
    });

    it.each([
      ['a time to come', '?asOf=2031-01-01T00:00:00Z'],
      ['a day to come', '?asOf=2031-01-01'],
      ['a date that is none', '?asOf=2025-02-30'],
      ['a format it lacks', '?format=docx'],
      ['an edition it lacks', '?edition=public'],
      ['a parameter it does not take', '?limit=5'],
      ['a table name with odd characters', "?format=csv&table=summary'--"],
    ])('%s', async (_name, query) => {
      const before = (await auditEvents(use().context, { action: 'report.issue' })).length;
      expect(codeOf(await use().app.inject({ method: 'GET', url: url(query) }))).toBe(
        'VALIDATION_FAILED',
      );
      expect((await auditEvents(use().context, { action: 'report.issue' })).length).toBe(before);
    });
  });

  it('reports nothing displaced as of a time before the disruption was applied', async () => {
    const response = await use().app.inject({ method: 'GET', url: url('?asOf=2025-03-01') });
    const report = response.json<IssuedReport>();
    expect(report.applied).toBe(false);
    expect(report.asOf).toBe('2025-03-02T08:00:00.000Z');
    expect(report.tables.find((t) => t.id === 'summary')?.rows[0]?.numerator).toBe(0);
  });

  it('verifies an issued copy, and finds a changed one', async () => {
    const { app, context } = use();
    const verify = (bytes: string | Buffer) =>
      context.servicesFor(cliActor('test')).reports.verify(Buffer.from(bytes));
    const json = await app.inject({ method: 'GET', url: url('?format=json') });
    expect((await verify(json.rawPayload)).verdict).toBe('unaltered');

    const relaid = JSON.stringify(JSON.parse(json.body));
    expect((await verify(relaid)).verdict).toBe('content-unaltered');
    const changed = json.body.replace('"Patients displaced"', '"Patients moved"');
    expect((await verify(changed)).verdict).toBe('altered');

    const html = await app.inject({ method: 'GET', url: url('?format=html') });
    const verdict = await verify(html.body.replace('Key figures', 'Key figurez'));
    expect(verdict).toMatchObject({ verdict: 'altered', issued: { disruptionId: strikeId } });
    expect((await verify('not a report')).verdict).toBe('unknown');

    const auditor = context.servicesFor({ ...cliActor('test'), role: 'auditor' });
    await expect(auditor.reports.verify(Buffer.from('x'))).rejects.toMatchObject({
      code: 'FORBIDDEN',
    });
  });
});

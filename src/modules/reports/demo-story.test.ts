import { readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Context } from '../../context.ts';
import { buildApp } from '../../http/app.ts';
import { cliActor } from '../auth/policy.domain.ts';
import type { TransitionInput } from '../referrals/referrals.domain.ts';
import { scenarioNames } from '../seed/scenario.domain.ts';
import {
  actingAs,
  auditEvents,
  bearerFor,
  createTestContext,
  movableClock,
  testEngines,
} from '../../test/harness.ts';
import {
  dayMs,
  day,
  sha256,
  pgArray,
  type Report,
  type Expected,
  placedAsLabel,
  table,
  summaryRow,
  count,
  expectedOutcomes,
  expectPatientRows,
  verdicts,
} from '../../test/disruption-report-expected.ts';

/*
 * Issue 10's demo story: on the demo region, the Woodland Hills strike is applied, re-matched and
 * followed through for three weeks (referrals sent, accepted, seen late or on time, one declined;
 * mothers attending their new groups), and the continuity report then reads true. Every figure
 * is checked against this file's own queries of the database and the displacement rule
 * (displacedDeadline), never against the report's repository or domain functions.
 */

interface Story {
  context: Context & { dispose(): Promise<void> };
  app: FastifyInstance;
  strikeId: string;
  /** The mothers actively enrolled in the four circles before the strike: id → MRN. */
  mothers: Map<string, string>;
  appliedAt: Date;
  asOf: Date;
  /** The full edition as its returned JSON file reads, and that file. */
  full: Report;
  file: { body: Buffer; fileSha256: string };
  expected: Expected[];
}

/**
 * The strike applied two days after seeding, re-matched and committed; three weeks of
 * follow-through, the clock moving on between steps; the report issued at the end.
 */
async function playStory(engine: ReturnType<typeof testEngines>[number]): Promise<Story> {
  const clock = movableClock();
  const context = await createTestContext(engine, clock);
  const raw = await buildApp(context, { logger: false });
  await raw.ready();
  const app = actingAs(raw, await bearerFor(context, 'admin'));
  const s = context.servicesFor(cliActor('test'));
  const { db } = context;

  await s.seed.seed({ scale: 'demo', seed: 1 });
  const drafts = await s.disruptions.list({ status: 'draft' }, { limit: 50 });
  const strike = drafts.items.find((d) => d.title === 'Woodland Hills perinatal therapists strike');
  if (!strike) throw new Error('the demo seed has the draft strike');
  const { rows: mothers } = await sql<{ id: string; mrn: string }>`
    select p.id, p.mrn from enrollment e
      join therapy_group g on g.id = e.group_id join patient p on p.id = e.patient_id
     where e.status = 'active' and g.name = any(${pgArray(scenarioNames.postpartumGroups)}::text[])`.execute(
    db,
  );

  // The strike begins two days on: applied, re-matched, every proposal approved and committed.
  clock.advance(2 * day);
  const { disruption } = await s.disruptions.apply(strike.id);
  const appliedAt = disruption.appliedAt ?? clock.now();
  const run = await s.matching.rematch(strike.id);
  await s.matching.decideMany(run.id, 'approved', null);
  expect((await s.matching.commit(run.id)).conflicts).toEqual([]);
  // What the commit made of each kind, in patient order, with one more column of it as text.
  const made = async (entity: string, column: string) => {
    const { rows } = await sql<{ id: string; patient_id: string; other: string | null }>`
      select x.id, x.patient_id, ${sql.ref(`x.${column}`)}::text as other
        from match_proposal p join ${sql.table(entity)} x on x.id = p.committed_id
       where p.run_id = ${run.id} and p.committed_entity = ${entity}
       order by x.patient_id, x.id`.execute(db);
    return rows;
  };
  const days = (n: number) => new Date(appliedAt.getTime() + n * dayMs);

  // Referrals, in fifths: seen in time; seen late; booked after the report; only sent (the first
  // of these declined); never sent.
  const committedReferrals = await made('referral', 'version');
  const referrals = committedReferrals.map((r) => r.id);
  const versions = new Map(committedReferrals.map((r) => [r.id, Number(r.other)]));
  const move = async (id: string, input: TransitionInput) => {
    const { referral } = await s.referrals.transition(id, versions.get(id) ?? 0, input);
    versions.set(id, referral.version);
  };
  const fifth = (n: number) => referrals.filter((_, i) => i % 5 === n);
  const [onTime, late, booked, onlySent] = [fifth(0), fifth(1), fifth(2), fifth(3)];
  clock.advance(day);
  for (const id of [...onTime, ...late, ...booked, ...onlySent]) await move(id, { to: 'sent' });
  clock.advance(day);
  for (const id of [...onTime, ...late, ...booked]) await move(id, { to: 'accepted' });
  const [declined] = onlySent;
  if (declined) await move(declined, { to: 'declined', declineReason: 'not_eligible' });
  clock.advance(60);
  for (const [ids, first] of [
    [onTime, days(5)],
    [late, days(20)],
    [booked, days(28)],
  ] as const)
    for (const id of ids) await move(id, { to: 'scheduled', firstAppointmentAt: first });
  clock.advance(4 * day);
  for (const id of onTime) await move(id, { to: 'completed' });
  clock.advance(15 * day);
  for (const id of late) await move(id, { to: 'completed' });
  clock.advance(2 * day - 60);
  const asOf = clock.now();

  // Group seats, in thirds: at their new group's first session after the strike; only from the
  // third week; not yet. Written as the clinician's register would (no route records attendance).
  const seats = await made('enrollment', 'group_id');
  for (const [j, seat] of seats.entries()) {
    if (j % 3 === 2) continue;
    await sql`
      insert into attendance (session_id, patient_id, status)
      select s.id, ${seat.patient_id}, 'present' from group_session s
       where s.group_id = ${seat.other} and s.status = 'scheduled'
         and s.starts_at > ${j % 3 === 0 ? appliedAt : days(17)} and s.starts_at <= ${asOf}
       order by s.starts_at limit 1`.execute(db);
  }
  // Individual visits: every other one held by now was attended.
  const visits = await made('appointment', 'starts_at');
  for (const [k, visit] of visits.entries())
    if (k % 2 === 0)
      await sql`update appointment set status = 'attended'
                 where id = ${visit.id} and starts_at <= ${asOf}`.execute(db);

  const [file] = (await s.reports.disruption(strike.id, { format: 'json', edition: 'full' })).files;
  if (!file) throw new Error('a JSON report is one file');
  return {
    context,
    app,
    strikeId: strike.id,
    mothers: new Map(mothers.map((m) => [m.id, m.mrn])),
    appliedAt,
    asOf,
    full: JSON.parse(file.body.toString('utf8')) as Report,
    file,
    expected: await expectedOutcomes(context, strike.id, asOf),
  };
}

for (const engine of testEngines()) {
  describe(`the Woodland Hills strike continuity report [${engine.name}]`, () => {
    let story: Story | undefined;
    const use = (): Story => {
      if (!story) throw new Error('the story did not play');
      return story;
    };
    beforeAll(async () => {
      story = await playStory(engine);
    }, 120_000);
    afterAll(async () => {
      await story?.app.close();
      await story?.context.dispose();
    });

    it('plays a story with deadlines met and missed, and patients placed and waiting', () => {
      const { expected } = use();
      const { met, missed } = verdicts(expected);
      expect(met).toBeGreaterThan(0);
      expect(missed).toBeGreaterThan(0);
      for (const how of ['group', 'outside_provider', 'individual', 'referral_pending'])
        expect(
          count(expected, (e) => (e.placement?.kind ?? e.waiting) === how),
          how,
        ).toBeGreaterThan(0);
    });

    it('lists the four postpartum circles among the groups stopped, with the sessions cancelled', async () => {
      const { context, full, strikeId } = use();
      const { rows } = await sql<{ name: string; n: number }>`
        select g.name, count(*)::int as n from group_session s
          join therapy_group g on g.id = s.group_id
         where s.disruption_id = ${strikeId} and s.status = 'cancelled'
         group by g.name`.execute(context.db);
      const mine = Object.fromEntries(rows.map((r) => [r.name, r.n]));
      const sessions = table(full, 'sessions');
      expect(Object.fromEntries(sessions.rows.map((r) => [r.group, r.cancelled]))).toEqual(mine);
      for (const circle of scenarioNames.postpartumGroups)
        expect(mine[circle], `${circle}: sessions cancelled`).toBeGreaterThan(0);
      expect(sessions.total?.cancelled).toBe(rows.reduce((n, r) => n + r.n, 0));
    });

    it('counts the displaced as the cohort query does, every mother of the circles among them', () => {
      const { full, expected, mothers } = use();
      expect(summaryRow(full, 'Patients displaced').numerator, 'summary').toBe(expected.length);
      for (const id of [
        'displaced-by-specialty',
        'displaced-by-service-area',
        'displaced-by-risk-tier',
      ]) {
        const t = table(full, id);
        expect(t.total?.patients, `${id} total`).toBe(expected.length);
        expect(
          t.rows.reduce((n, r) => n + Number(r.patients), 0),
          `${id} rows`,
        ).toBe(expected.length);
      }
      const listed = table(full, 'patients').rows.map((r) => String(r.mrn));
      expect([...listed].sort()).toEqual(expected.map((e) => e.mrn).sort());
      for (const [id, mrn] of mothers) expect(listed, `mother ${id}`).toContain(mrn);
    });

    it('says where each patient went, as the enrollments, referrals and visits record it', () => {
      const { full, expected } = use();
      expectPatientRows(full, expected, ['placement']);
      const placement = table(full, 'placement');
      for (const how of Object.keys(placedAsLabel))
        expect(placement.rows.find((r) => r.key === how)?.patients, `placement row ${how}`).toBe(
          count(expected, (e) => (e.placement?.kind ?? e.waiting) === how),
        );
      expect(summaryRow(full, 'Placed in care').numerator, 'summary').toBe(
        count(expected, (e) => e.placement !== null),
      );
    });

    it('counts who was seen before their deadline and who waited past it', () => {
      const { full, expected } = use();
      expectPatientRows(full, expected, ['visit', 'verdict']);
      const { met, missed, pending } = verdicts(expected);
      expect(table(full, 'deadlines').total).toMatchObject({
        patients: expected.length,
        met,
        missed,
        pending,
        measured: met + missed,
      });
      const measured = { denominator: met + missed };
      expect(summaryRow(full, 'Seen before their deadline')).toMatchObject({
        numerator: met,
        ...measured,
      });
      expect(summaryRow(full, 'Waited past their deadline')).toMatchObject({
        numerator: missed,
        ...measured,
      });
    });

    it('as of the end of the first week, counts those still inside their deadline as pending', async () => {
      const { context, strikeId, appliedAt } = use();
      const asOf = new Date(appliedAt.getTime() + 7 * dayMs);
      const s = context.servicesFor(cliActor('test'));
      const [file] = (
        await s.reports.disruption(strikeId, { format: 'json', edition: 'full', asOf })
      ).files;
      const report = JSON.parse(file?.body.toString('utf8') ?? '{}') as Report;
      expect(report.asOf).toBe(asOf.toISOString());
      const expected = await expectedOutcomes(context, strikeId, asOf);
      expectPatientRows(report, expected, ['placement', 'verdict']);
      const { met, missed, pending } = verdicts(expected);
      expect(pending).toBeGreaterThan(0);
      expect(table(report, 'deadlines').total).toMatchObject({ met, missed, pending });
    });

    it('counts the referrals sent in the period, accepted and completed by the report time', async () => {
      const { context, full, strikeId, asOf, expected } = use();
      const { rows } = await sql<{ sent: number; accepted: number; completed: number }>`
        select count(*)::int as sent,
               count(*) filter (where r.accepted_at <= ${asOf})::int as accepted,
               count(*) filter (where r.status = 'completed')::int as completed
          from referral r, disruption d
         where d.id = ${strikeId}
           and r.patient_id = any(${pgArray(expected.map((e) => e.patientId))}::uuid[])
           and r.sent_at >= (d.starts_on::timestamp at time zone ${context.config.TZ_ORG})
           and r.sent_at < ${asOf}`.execute(context.db);
      const { sent = 0, accepted, completed } = rows[0] ?? {};
      expect(sent).toBeGreaterThan(0);
      const measure = (name: string) =>
        table(full, 'referrals').rows.find((r) => r.measure === name);
      expect(measure('Accepted')).toMatchObject({ numerator: accepted, denominator: sent });
      expect(measure('Completed')).toMatchObject({ numerator: completed, denominator: sent });
    });

    it('carries its evidence, and the audit trail holds the digest of the file issued', async () => {
      const { context, full, file, asOf } = use();
      const { version } = JSON.parse(
        readFileSync(new URL('../../../package.json', import.meta.url), 'utf8'),
      ) as { version: string };
      expect(full.asOf).toBe(asOf.toISOString());
      expect(full.evidence).toMatchObject({ asOf: asOf.toISOString(), softwareVersion: version });
      const digest = sha256(file.body);
      expect(file.fileSha256).toBe(digest);
      const issued = await auditEvents(context, { action: 'report.issue' });
      const event = issued.find((e) => e.detail.fileSha256 === digest);
      expect(event?.detail).toMatchObject({
        disruptionId: full.disruption.id,
        format: 'json',
        edition: 'full',
      });
    });

    it('gives the same figures through HTTP, the same bytes at the same time, audited again', async () => {
      const { app, context, file, full, strikeId } = use();
      const issues = async () =>
        count(
          await auditEvents(context, { action: 'report.issue' }),
          (e) => e.detail.fileSha256 === file.fileSha256,
        );
      const before = await issues();
      const response = await app.inject({
        method: 'GET',
        url: `/api/v1/reports/disruptions/${strikeId}?format=json&edition=full`,
      });
      expect(response.statusCode, response.body).toBe(200);
      expect(response.json<Report>().tables).toEqual(full.tables);
      // The clock has not moved since the first issue, so the file is byte for byte the same.
      const digest = sha256(response.rawPayload);
      expect(response.headers['x-content-sha256']).toBe(digest);
      expect(digest).toBe(file.fileSha256);
      expect(await issues()).toBe(before + 1);
    });

    it('names nobody and shows no cell of 1 to 10 patients in the de-identified edition', async () => {
      const { context, strikeId, expected } = use();
      const s = context.servicesFor(cliActor('test'));
      const text = async (format: 'json' | 'html') =>
        (await s.reports.disruption(strikeId, { format, edition: 'deidentified' })).files
          .map((f) => f.body.toString('utf8'))
          .join('');
      const files = { json: await text('json'), html: await text('html') };
      for (const [format, body] of Object.entries(files))
        for (const e of expected) {
          expect(body.includes(e.mrn), `${format} shows the MRN of ${e.patientId}`).toBe(false);
          expect(body.includes(e.name), `${format} shows the name of ${e.patientId}`).toBe(false);
        }
      for (const body of Object.values(files)) expect(body).not.toMatch(/MRN-\d/);
      const report = JSON.parse(files.json) as Report;
      expect(report.edition).toBe('deidentified');
      expect(report.tables.map((t) => t.id)).not.toContain('patients');
      for (const t of report.tables)
        for (const column of t.columns.filter((c) => c.kind === 'patients'))
          for (const [index, row] of [...t.rows, ...(t.total ? [t.total] : [])].entries()) {
            const cell = row[column.key] ?? null;
            const shown = cell === null || cell === 0 || (typeof cell === 'number' && cell >= 11);
            expect(shown, `${t.id} row ${index} ${column.key} = ${String(cell)}`).toBe(true);
          }
    });
  });
}

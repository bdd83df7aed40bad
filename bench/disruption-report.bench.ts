/*
 * The disruption continuity report for a region-wide disruption on the region dataset, on server
 * PostgreSQL (issue 10: at most 10 seconds). Seeds the region into a fresh schema, puts every
 * second active clinician on strike region-wide for four weeks, applies it, re-matches, approves
 * and commits the plan (setup), then times each report issue as the API makes it, and breaks one
 * JSON issue down into the reads and steps the report service makes.
 *
 *   npx tsx bench/disruption-report.bench.ts [--scale region|demo] [--seed 1]
 *                                             [--url postgres://postgres@127.0.0.1:5432/postgres]
 *
 * The schema is dropped afterwards.
 */
import { existsSync } from 'node:fs';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import { minimumCellSize } from '../src/modules/aggregates/aggregates.domain.ts';
import { cliActor } from '../src/modules/auth/policy.domain.ts';
import { windowOf } from '../src/modules/disruptions/disruptions.domain.ts';
import {
  displacedPatientIdsSql,
  displacedPatients,
  findDisruption,
  impactSessions,
  serviceAreaNames,
} from '../src/modules/disruptions/disruptions.repository.ts';
import { loadCohort } from '../src/modules/disruptions/disruptions.service.ts';
import { grievanceRates } from '../src/modules/grievances/grievances.domain.ts';
import { grievanceCounts, totalMembers } from '../src/modules/grievances/grievances.repository.ts';
import { referralCounts } from '../src/modules/referrals/referrals.repository.ts';
import {
  disruptionReport,
  patientOutcomes,
  type DisruptionReport,
} from '../src/modules/reports/disruption-report.domain.ts';
import {
  committedPlacements,
  firstVisits,
  latestProposals,
  latestShortfall,
} from '../src/modules/reports/disruption-report.repository.ts';
import {
  contentDigest,
  reportHtml,
  reportJson,
  sha256,
} from '../src/modules/reports/report-formats.ts';
import type { ReportFormat } from '../src/modules/reports/report-formats.ts';
import type { Edition } from '../src/modules/reports/disruption-report.domain.ts';
import type { Scale } from '../src/modules/seed/scale.domain.ts';
import { addCalendarDays } from '../src/modules/timely-access/calendar.domain.ts';
import { refreshPatientClocks } from '../src/modules/timely-access/patient-clocks.repository.ts';
import { rates } from '../src/modules/timely-access/timely-access.repository.ts';
import {
  currentCalendar,
  standardDefinitions,
} from '../src/modules/timely-access/timely-access.service.ts';
import { localDateOf } from '../src/shared/clock.ts';
import { parseConfig } from '../src/shared/config.ts';
import { regionStrike, withRegion } from './region-schema.ts';

const { values } = parseArgs({
  options: {
    scale: { type: 'string', default: 'region' },
    seed: { type: 'string', default: '1' },
    url: { type: 'string', default: 'postgres://postgres@127.0.0.1:5432/postgres' },
  },
});
const scale = values.scale as Scale;
const config = parseConfig({ LOG_LEVEL: 'silent' });

const out = (line: string) => process.stdout.write(`${line}\n`);
const n = (value: number) => value.toLocaleString('en-US');
const seconds = (ms: number) => `${(ms / 1000).toFixed(2).padStart(7)} s`;
const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
async function measure<T>(work: () => Promise<T>): Promise<{ result: T; ms: number }> {
  const started = performance.now();
  const result = await work();
  return { result, ms: performance.now() - started };
}
async function timed<T>(label: string, work: () => Promise<T>): Promise<T> {
  const { result, ms } = await measure(work);
  out(`${label.padEnd(44)} ${seconds(ms)}`);
  return result;
}
const figure = (report: DisruptionReport, name: string) =>
  report.tables.find((t) => t.id === 'summary')?.rows.find((r) => r.figure === name)?.numerator;

const options = {
  url: values.url,
  scale,
  seed: Number(values.seed),
  prefix: 'bench_report',
  out,
};
out(`Disruption report: scale ${scale}, seed ${values.seed}, Node ${process.version}`);
out(`load average at the start (1, 5, 15 min): ${load()}`);
await withRegion(options, async (region) => {
  const { context, services } = region;
  const tz = config.TZ_ORG;

  // Setup (above: the region): a four-week strike of every second active clinician, applied,
  // re-matched and committed. Timed, but not the figure.
  const today = localDateOf(new Date(), tz);
  const endsOn = addCalendarDays(today, 27);
  const { strike, striking, active } = await regionStrike(region, today, endsOn);
  out(`strike of ${n(striking)} of ${n(active)} active clinicians, ${today} to ${endsOn}`);
  await timed('apply (setup)', () => services.disruptions.apply(strike.id));
  const run = await timed('rematch (setup)', () => services.matching.rematch(strike.id));
  await timed('approve all (setup)', () => services.matching.decideMany(run.id, 'approved', null));
  const committed = await timed('commit (setup)', () => services.matching.commit(run.id));
  out(
    `  ${n(committed.committed.enrollments)} enrollments, ${n(committed.committed.referrals)} referrals, ${n(committed.committed.appointments)} appointments committed; ${committed.conflicts.length} conflicts`,
  );
  // A service four weeks into a strike has had its tables analysed by autovacuum.
  await timed('analyze (setup)', () => sql`analyze`.execute(context.db));

  // The displaced cohort counted here straight from its definition, to check the report's.
  const { rows: cohortRows } = await sql<{ patients: number }>`
      select count(distinct e.patient_id)::int as patients
        from enrollment e, disruption d
       where d.id = ${strike.id}
         and exists (select 1 from group_session s
                      where s.group_id = e.group_id and s.disruption_id = d.id)
         and (e.status = 'active' or (e.status = 'ended' and e.ends_on >= d.starts_on))
         and (d.ends_on is null or e.starts_on <= d.ends_on)`.execute(context.db);
  const cohort = cohortRows[0]?.patients ?? 0;
  out(`displaced patients (counted from the definition): ${n(cohort)}`);

  // Each report issue, as the API makes it: built, rendered, audited.
  out('');
  out(`${'report issue'.padEnd(44)} ${'time'.padStart(9)}  ${'bytes'.padStart(11)}  files`);
  const issue = async (label: string, format: ReportFormat, edition: Edition, table?: string) => {
    const { result, ms } = await measure(() =>
      services.reports.disruption(strike.id, { format, edition, table }),
    );
    const bytes = result.files.reduce((sum, f) => sum + f.body.length, 0);
    out(`${label.padEnd(44)} ${seconds(ms)}  ${n(bytes).padStart(11)}  ${result.files.length}`);
    return { ...result, ms };
  };
  const jsonRuns = [];
  for (let i = 1; i <= 3; i += 1)
    jsonRuns.push(await issue(`json, de-identified (run ${i})`, 'json', 'deidentified'));
  const jsonTimes = jsonRuns.map((r) => r.ms);
  const first = jsonRuns[0];
  if (first === undefined) throw new Error('no json run');
  const displaced = figure(first.report, 'Patients displaced');
  out(
    `  best ${seconds(Math.min(...jsonTimes)).trim()}, worst ${seconds(Math.max(...jsonTimes)).trim()}; ${n(Number(displaced))} patients displaced in the report${displaced === cohort ? ' (as counted)' : ` (MISMATCH: ${n(cohort)} counted)`}; placed ${n(Number(figure(first.report, 'Placed in care')))}`,
  );
  const full = await issue('json, full', 'json', 'full');
  const named = full.report.tables.find((t) => t.id === 'patients')?.rows.length ?? 0;
  out(`  ${n(named)} patients named (and audited, one event each)`);
  await issue('html, de-identified', 'html', 'deidentified');
  await issue('html, full', 'html', 'full');
  await issue('csv, all tables, de-identified', 'csv', 'deidentified', 'all');
  if (existsSync(config.CHROMIUM_PATH)) await issue('pdf, de-identified', 'pdf', 'deidentified');
  else out(`pdf, de-identified: skipped (no Chromium at ${config.CHROMIUM_PATH})`);

  // Where one JSON issue's time goes: the service's reads and steps (reports.service.ts
  // `build`), made here one at a time with the same arguments. The service makes the reads of
  // each group at once (Promise.all), so the group's line is the time it waits.
  out('');
  out('breakdown of one json issue (the service does the indented reads of a group at once):');
  const db = context.db;
  const id = strike.id;
  const asOf = context.clock.now();
  const disruption = await timed('  findDisruption', () => findDisruption(db, id));
  if (!disruption) throw new Error('disruption not found');
  const calendar = await timed('  currentCalendar (business days)', () =>
    currentCalendar(db, tz, context.clock.now()),
  );
  const window = windowOf(disruption, tz);
  const displacedAt = disruption.appliedAt ?? asOf;
  const end = Math.min(window.until?.getTime() ?? asOf.getTime(), asOf.getTime());
  const period = { from: window.from, to: new Date(Math.max(end, window.from.getTime())) };
  const length = period.to.getTime() - period.from.getTime();
  const baseline = { from: new Date(period.from.getTime() - length), to: period.from };
  const found = await timed('    impactSessions', () => impactSessions(db, disruption, window));
  out(`      ${n(found.sessions.length)} sessions, ${n(found.groups.length)} groups`);
  const rows = await timed('    displacedPatients', () =>
    displacedPatients(db, { disruptionId: id }, displacedAt),
  );
  out(`      ${n(rows.length)} patients`);
  const { impact } = await timed('  loadCohort (the two above, the impact)', () =>
    loadCohort(db, disruption, displacedAt, tz, true),
  );
  const placements = await timed('    committedPlacements', () => committedPlacements(db, id));
  const latest = await timed('    latestProposals', () => latestProposals(db, id, asOf));
  const visits = await timed('    firstVisits', () => firstVisits(db, id, displacedAt, asOf));
  const shortfall = await timed('    latestShortfall', () => latestShortfall(db, id, asOf));
  await timed('  the four above at once', () =>
    Promise.all([
      committedPlacements(db, id),
      latestProposals(db, id, asOf),
      firstVisits(db, id, displacedAt, asOf),
      latestShortfall(db, id, asOf),
    ]),
  );
  const outcomes = await timed('  patientOutcomes (pure)', () =>
    Promise.resolve(
      patientOutcomes({ impact, placements, latest, firstVisits: visits, asOf, calendar }),
    ),
  );
  const ids = { disruptionId: id };
  const since = { from: period.from, to: asOf };
  // The rates read the stored verdicts, which the service refreshes first.
  await timed('    refreshPatientClocks', () => refreshPatientClocks(db, new Date(), tz));
  const during = await timed('    rates during (timely access)', () =>
    rates(db, { ...period, ...ids }, 'standard', asOf, tz),
  );
  const before = await timed('    rates before (baseline)', () =>
    rates(db, { ...baseline, ...ids }, 'standard', asOf, tz),
  );
  const referrals = await timed('    referralCounts', () =>
    referralCounts(db, { ...since, ...ids, asOf }, tz),
  );
  const grievances = await timed('    grievanceCounts', () =>
    grievanceCounts(db, { ...since, ...ids }),
  );
  const members = await timed('    totalMembers', () => totalMembers(db));
  await timed('  the five above at once', () =>
    Promise.all([
      rates(db, { ...period, ...ids }, 'standard', asOf, tz),
      rates(db, { ...baseline, ...ids }, 'standard', asOf, tz),
      referralCounts(db, { ...since, ...ids, asOf }, tz),
      grievanceCounts(db, { ...since, ...ids }),
      totalMembers(db),
    ]),
  );
  const serviceAreas = await timed('  serviceAreaNames', () =>
    serviceAreaNames(db, [
      ...new Set([
        ...impact.patients.map((p) => p.serviceAreaId),
        ...impact.sessions.groups.map((g) => g.serviceAreaId),
      ]),
    ]),
  );
  const days = Math.max(0, asOf.getTime() - period.from.getTime()) / 86_400_000;
  const grievanceRatesOf = (count: number) =>
    grievanceRates({
      grievances: count,
      members,
      days,
      affectedPatients: outcomes.length,
      affectedDefinition: 'the patients the disruption displaced',
    });
  const input = {
    disruption,
    asOf,
    period,
    baseline,
    applied: disruption.appliedAt !== null && disruption.appliedAt <= asOf,
    impact,
    outcomes,
    serviceAreas,
    timelyAccess: { during, before },
    standardDefinitions,
    referrals,
    grievances: {
      all: grievanceRatesOf(grievances.all),
      disruptionRelated: grievanceRatesOf(grievances.disruptionRelated),
    },
    shortfall,
  };
  for (const edition of ['deidentified', 'full'] as const) {
    const report = await timed(`  disruptionReport, ${edition} (pure)`, () =>
      Promise.resolve(disruptionReport(input, edition, minimumCellSize)),
    );
    const evidence = {
      generatedAt: asOf.toISOString(),
      asOf: asOf.toISOString(),
      softwareVersion: 'bench',
    };
    const issued = { ...report, evidence: { ...evidence, contentSha256: '' } };
    issued.evidence.contentSha256 = await timed(`  contentDigest, ${edition}`, () =>
      Promise.resolve(contentDigest(report, evidence)),
    );
    await timed(`  reportJson and its sha256, ${edition}`, () =>
      Promise.resolve(sha256(Buffer.from(reportJson(issued)))),
    );
    await timed(`  reportHtml and its sha256, ${edition}`, () =>
      Promise.resolve(sha256(Buffer.from(reportHtml(issued)))),
    );
  }
  // The full edition's audit: one event for the file and one per patient named, in one
  // transaction, as the service writes them (these land in the dropped schema).
  const access = context.accessFor(cliActor('bench'));
  const record = { action: 'report.issue', entity: 'disruption', entityId: id };
  await timed('  audit, de-identified (1 event)', () =>
    db.transaction().execute((trx) => access.record([{ ...record, detail: {} }], trx)),
  );
  await timed(`  audit, full (${n(outcomes.length + 1)} events)`, () =>
    db
      .transaction()
      .execute((trx) =>
        access.record(
          [
            { ...record, detail: {} },
            ...outcomes.map((o) => ({ ...record, patientId: o.patientId })),
          ],
          trx,
        ),
      ),
  );
  // The displaced cohort is a subquery of most of the reads above. As the repository writes it
  // (displacedPatientIdsSql), its inner select names the joined disruption's id, so Postgres
  // cannot turn it into a semi-join and runs it once per enrollment; the same subquery with
  // the id as a parameter, for comparison.
  out('');
  out('the displaced cohort subquery alone:');
  const asWritten = sql`select count(distinct c.patient_id)::int as patients
      from ${displacedPatientIdsSql(id)} as c`;
  const { rows: plan } = await sql<{
    'QUERY PLAN': string;
  }>`explain (costs off) ${asWritten}`.execute(db);
  for (const line of plan) out(`    ${line['QUERY PLAN']}`);
  const written = await timed('  as written (displacedPatientIdsSql)', () => asWritten.execute(db));
  const uncorrelated = await timed('  with the id in the inner select', () =>
    sql`select count(distinct e.patient_id)::int as patients
            from enrollment e join disruption d on d.id = ${id}
           where e.group_id in (select s.group_id from group_session s
                                 where s.disruption_id = ${id})
             and (e.status = 'active' or (e.status = 'ended' and e.ends_on >= d.starts_on))
             and (d.ends_on is null or e.starts_on <= d.ends_on)`.execute(db),
  );
  out(`    ${JSON.stringify(written.rows)} and ${JSON.stringify(uncorrelated.rows)} patients`);
  out('');
  out(
    `heap ${Math.round(process.memoryUsage().heapUsed / 1e6)} MB; load average at the end: ${load()}`,
  );
});

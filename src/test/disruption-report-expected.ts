import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import { expect } from 'vitest';
import type { Context } from '../context.ts';
import { displacedDeadline } from '../modules/disruptions/disruptions.domain.ts';
import type { RiskInput } from '../modules/matching/risk.domain.ts';
import type { HistoryEntry } from '../modules/referrals/referrals.domain.ts';
import type { ReportTable, TableRow } from '../modules/reports/report-table.domain.ts';

/*
 * What the disruption report should say of the demo story (src/modules/reports/demo-story.test.ts),
 * worked out from the database by queries of its own and the displacement rule
 * (displacedDeadline), never by the report's repository or domain functions.
 */

export const dayMs = 86_400_000;
export const day = 24 * 60; // the clock moves in minutes

export const sha256 = (bytes: Uint8Array): string =>
  createHash('sha256').update(bytes).digest('hex');
const ms = (date: Date | string): number => new Date(date).getTime();
const iso = (time: number | null): string | null =>
  time === null ? null : new Date(time).toISOString();
/** An array parameter as Postgres array text, which both engines cast alike. */
export const pgArray = (items: readonly string[]): string =>
  `{${items.map((item) => JSON.stringify(item)).join(',')}}`;

export interface Report {
  disruption: { id: string };
  asOf: string;
  edition: string;
  tables: ReportTable[];
  evidence: { asOf: string; generatedAt: string; softwareVersion: string; contentSha256: string };
}

type Kind = 'group' | 'outside_provider' | 'individual';
type Waiting = 'referral_pending' | 'planned' | 'no_equivalent_place' | 'not_rematched';
type Verdict = 'met' | 'missed' | 'pending';

/** What the report should say of one displaced patient, worked out here from the rows. */
export interface Expected {
  patientId: string;
  mrn: string;
  name: string;
  placement: { kind: Kind; targetName: string; placedAt: number } | null;
  waiting: Waiting | null;
  firstVisitAt: number | null;
  dueBefore: number;
  verdict: Verdict;
}

// The words the patients table uses for each outcome: the report's stated vocabulary.
export const placedAsLabel: Record<Kind | Waiting, string> = {
  group: 'Equivalent therapy group',
  outside_provider: 'Outside provider (referral accepted)',
  individual: 'Individual appointment, in network',
  referral_pending: 'Not yet: referral sent, awaiting the provider',
  planned: 'Not yet: in a re-match plan not committed',
  no_equivalent_place: 'Not yet: no equivalent place with room',
  not_rematched: 'Not yet: not in any re-match plan',
};

export function table(report: Report, id: string): ReportTable {
  const found = report.tables.find((t) => t.id === id);
  if (!found) throw new Error(`the report has no ${id} table`);
  return found;
}

export function summaryRow(report: Report, figure: string): TableRow {
  const row = table(report, 'summary').rows.find((r) => r.figure === figure);
  if (!row) throw new Error(`the summary has no row "${figure}"`);
  return row;
}

export const count = <T>(items: readonly T[], test: (item: T) => boolean): number =>
  items.filter(test).length;

/** The last stamped status of a referral by `at`; draft before its first move. */
function statusAt(history: readonly HistoryEntry[], at: number): string {
  const moves = history.filter((h) => ms(h.at) <= at).sort((a, b) => ms(a.at) - ms(b.at));
  return moves.at(-1)?.to ?? 'draft';
}

/** Each displaced patient's outcome as of `asOf`, from the rows alone. */
export async function expectedOutcomes(
  context: Context,
  strikeId: string,
  asOf: Date,
): Promise<Expected[]> {
  const { db } = context;
  // The cohort: enrolled in a group the strike cancelled sessions of, active or ended since its
  // first day, and begun by its last.
  const { rows: patients } = await sql<
    RiskInput & { id: string; mrn: string; name: string; applied_at: Date }
  >`
    with d as materialized (select * from disruption where id = ${strikeId}),
         stopped as materialized (select distinct s.group_id from group_session s, d
                                   where s.disruption_id = d.id),
         cohort as materialized (
           select distinct e.patient_id from enrollment e
             join stopped on stopped.group_id = e.group_id, d
            where (e.status = 'active' or (e.status = 'ended' and e.ends_on >= d.starts_on))
              and (d.ends_on is null or e.starts_on <= d.ends_on))
    select p.id, p.mrn, p.name, p.conditions, p.perinatal, p.risk,
           p.discharged_at as "dischargedAt", d.applied_at
      from cohort join patient p on p.id = cohort.patient_id, d
     order by p.id`.execute(db);
  const ids = pgArray(patients.map((p) => p.id));
  const appliedAt = patients[0]?.applied_at ?? asOf;

  // Care attended, of every kind: the last before the strike, the first after it.
  const { rows: care } = await sql<{ patient_id: string; kind: string; at: Date }>`
    select a.patient_id, 'session' as kind, s.starts_at as at
      from attendance a join group_session s on s.id = a.session_id
     where a.status = 'present' and a.patient_id = any(${ids}::uuid[])
    union all
    select patient_id, 'visit', starts_at from appointment
     where status = 'attended' and starts_at is not null and patient_id = any(${ids}::uuid[])
    union all
    select patient_id, 'referral', first_appointment_at from referral
     where status = 'completed' and first_appointment_at is not null
       and patient_id = any(${ids}::uuid[])`.execute(db);

  // Every proposal of the strike's runs; for a committed one, what it made.
  const { rows: proposals } = await sql<{
    patient_id: string;
    option: string;
    decision: string;
    run_id: string;
    run_at: Date;
    target: string | null;
    made_at: Date | null;
    accepted_at: Date | null;
    history: HistoryEntry[] | null;
    visit_status: string | null;
  }>`
    select p.patient_id, p.option, p.decision, r.id as run_id, r.created_at as run_at,
           coalesce(g.name, op.name, c.name) as target,
           coalesce(e.created_at, rf.created_at, ap.created_at) as made_at,
           rf.accepted_at, rf.history, ap.status as visit_status
      from match_run r join match_proposal p on p.run_id = r.id
      left join enrollment e on p.committed_entity = 'enrollment' and e.id = p.committed_id
      left join therapy_group g on g.id = e.group_id
      left join referral rf on p.committed_entity = 'referral' and rf.id = p.committed_id
      left join outside_provider op on op.id = rf.provider_id
      left join appointment ap on p.committed_entity = 'appointment' and ap.id = p.committed_id
      left join clinician c on c.id = ap.clinician_id
     where r.disruption_id = ${strikeId}`.execute(db);

  const now = ms(asOf);
  return patients.map((patient): Expected => {
    const held: NonNullable<Expected['placement']>[] = [];
    let pending = false;
    const mine = proposals.filter((p) => p.patient_id === patient.id);
    for (const p of mine) {
      if (p.decision !== 'committed' || p.made_at === null || ms(p.made_at) > now) continue;
      const targetName = p.target ?? '';
      if (p.option === 'group') held.push({ kind: 'group', targetName, placedAt: ms(p.made_at) });
      if (p.option === 'individual' && p.visit_status !== 'cancelled')
        held.push({ kind: 'individual', targetName, placedAt: ms(p.made_at) });
      if (p.option === 'outside_provider') {
        const status = statusAt(p.history ?? [], now);
        const accepted = p.accepted_at === null ? null : ms(p.accepted_at);
        if (
          ['accepted', 'scheduled', 'completed'].includes(status) &&
          accepted !== null &&
          accepted <= now
        )
          held.push({ kind: 'outside_provider', targetName, placedAt: accepted });
        else if (status === 'draft' || status === 'sent') pending = true;
      }
    }
    const placement = held.sort((a, b) => a.placedAt - b.placedAt)[0] ?? null;
    const latest = mine
      .filter((p) => ms(p.run_at) <= now)
      .sort((a, b) => ms(b.run_at) - ms(a.run_at) || (a.run_id < b.run_id ? 1 : -1))[0];
    const waiting: Waiting | null =
      placement !== null
        ? null
        : pending
          ? 'referral_pending'
          : latest === undefined
            ? 'not_rematched'
            : latest.option === 'unmatched'
              ? 'no_equivalent_place'
              : 'planned';

    const times = (test: (c: (typeof care)[number]) => boolean) =>
      care.filter((c) => c.patient_id === patient.id && test(c)).map((c) => ms(c.at));
    const before = times((c) => c.kind !== 'referral' && ms(c.at) <= ms(appliedAt));
    const after = times((c) => ms(c.at) > ms(appliedAt) && ms(c.at) <= now);
    const lastCareAt = before.length === 0 ? null : new Date(Math.max(...before));
    const firstVisitAt = after.length === 0 ? null : Math.min(...after);
    const dueBefore = ms(
      displacedDeadline(patient, lastCareAt, appliedAt, appliedAt, context.config.TZ_ORG).dueBefore,
    );
    return {
      patientId: patient.id,
      mrn: patient.mrn,
      name: patient.name,
      placement,
      waiting,
      firstVisitAt,
      dueBefore,
      verdict:
        firstVisitAt !== null && firstVisitAt < dueBefore
          ? 'met'
          : dueBefore <= now
            ? 'missed'
            : 'pending',
    };
  });
}

/** The patients table's row for each expected patient agrees with it on `fields`. */
export function expectPatientRows(
  report: Report,
  expected: readonly Expected[],
  fields: readonly ('placement' | 'visit' | 'verdict')[],
): void {
  const rows = new Map(table(report, 'patients').rows.map((r) => [r.mrn, r]));
  for (const e of expected) {
    const row = rows.get(e.mrn);
    const who = `patient ${e.patientId} (${e.mrn})`;
    expect(row, `${who} is listed`).toBeDefined();
    if (fields.includes('placement')) {
      const how = e.placement?.kind ?? e.waiting ?? 'not_rematched';
      expect(row?.placedAs, `${who}: placedAs`).toBe(placedAsLabel[how]);
      expect(row?.placedWith, `${who}: placedWith`).toBe(e.placement?.targetName ?? null);
      expect(row?.placedAt, `${who}: placedAt`).toBe(iso(e.placement?.placedAt ?? null));
    }
    if (fields.includes('visit')) {
      expect(row?.deadline, `${who}: deadline`).toBe(iso(e.dueBefore));
      expect(row?.firstVisitAt, `${who}: first visit`).toBe(iso(e.firstVisitAt));
    }
    if (fields.includes('verdict')) expect(row?.verdict, `${who}: verdict`).toBe(e.verdict);
  }
}

export const verdicts = (expected: readonly Expected[]) => {
  const [met, missed, pending] = (['met', 'missed', 'pending'] as const).map((v) =>
    count(expected, (e) => e.verdict === v),
  );
  return { met: met ?? 0, missed: missed ?? 0, pending: pending ?? 0 };
};

import { sql } from 'kysely';
import type { Db } from '../../db/database.ts';
import { displacedPatientIdsSql } from '../disruptions/disruptions.repository.ts';
import type { ProposalDecision, ProposalOption, ShortfallLine } from '../matching/plan.domain.ts';
import type { HistoryEntry } from '../referrals/referrals.domain.ts';
import type { LatestProposal, PlacementRow } from './disruption-report.domain.ts';

/** Every committed placement of a disruption's re-match runs: a row per proposal carried out. */
export async function committedPlacements(db: Db, disruptionId: string): Promise<PlacementRow[]> {
  const { rows } = await sql<{
    patient_id: string;
    option: PlacementRow['option'];
    target_name: string | null;
    created_at: Date | null;
    accepted_at: Date | null;
    history: HistoryEntry[] | null;
    appointment_status: string | null;
  }>`
    select p.patient_id, p.option,
           coalesce(g.name, op.name, c.name) as target_name,
           coalesce(en.created_at, rf.created_at, ap.created_at) as created_at,
           rf.accepted_at, rf.history, ap.status as appointment_status
      from match_proposal p
      join match_run r on r.id = p.run_id
      left join enrollment en on p.committed_entity = 'enrollment' and en.id = p.committed_id
      left join therapy_group g on g.id = en.group_id
      left join referral rf on p.committed_entity = 'referral' and rf.id = p.committed_id
      left join outside_provider op on op.id = rf.provider_id
      left join appointment ap on p.committed_entity = 'appointment' and ap.id = p.committed_id
      left join clinician c on c.id = ap.clinician_id
     where r.disruption_id = ${disruptionId}
       and p.decision = 'committed' and p.option <> 'unmatched'
     order by p.patient_id, p.id`.execute(db);
  return rows.flatMap((row) =>
    row.created_at === null
      ? []
      : [
          {
            patientId: row.patient_id,
            option: row.option,
            targetName: row.target_name ?? '',
            createdAt: row.created_at,
            referral:
              row.option === 'outside_provider'
                ? { acceptedAt: row.accepted_at, history: row.history ?? [] }
                : null,
            appointmentStatus: row.appointment_status,
          },
        ],
  );
}

/** Each patient's proposal in the latest run of the disruption made by `asOf`. */
export async function latestProposals(
  db: Db,
  disruptionId: string,
  asOf: Date,
): Promise<Map<string, LatestProposal>> {
  const { rows } = await sql<{
    patient_id: string;
    option: ProposalOption;
    decision: ProposalDecision;
  }>`
    select distinct on (p.patient_id) p.patient_id, p.option, p.decision
      from match_proposal p
      join match_run r on r.id = p.run_id
     where r.disruption_id = ${disruptionId} and r.created_at <= ${asOf}
     order by p.patient_id, r.created_at desc, r.id desc`.execute(db);
  return new Map(rows.map((r) => [r.patient_id, { option: r.option, decision: r.decision }]));
}

/**
 * Each displaced patient's first attended care in (after, until]: a group session they attended,
 * a visit they attended, or the first visit of a completed referral.
 */
export async function firstVisits(
  db: Db,
  disruptionId: string,
  after: Date,
  until: Date,
): Promise<Map<string, Date>> {
  const cohort = displacedPatientIdsSql(disruptionId);
  const { rows } = await sql<{ patient_id: string; at: Date }>`
    select v.patient_id, min(v.at) as at from (
      select a.patient_id, s.starts_at as at
        from attendance a join group_session s on s.id = a.session_id
       where a.status = 'present' and s.starts_at > ${after} and s.starts_at <= ${until}
         and a.patient_id in ${cohort}
      union all
      select ap.patient_id, ap.starts_at
        from appointment ap
       where ap.status = 'attended' and ap.starts_at > ${after} and ap.starts_at <= ${until}
         and ap.patient_id in ${cohort}
      union all
      select r.patient_id, r.first_appointment_at
        from referral r
       where r.status = 'completed' and r.first_appointment_at > ${after}
         and r.first_appointment_at <= ${until} and r.patient_id in ${cohort}
    ) v
    group by v.patient_id`.execute(db);
  return new Map(rows.map((r) => [r.patient_id, r.at]));
}

/** The shortfall of the latest run of the disruption made by `asOf`, or null for none. */
export async function latestShortfall(
  db: Db,
  disruptionId: string,
  asOf: Date,
): Promise<{ runId: string; runAt: Date; lines: ShortfallLine[] } | null> {
  const row = await db
    .selectFrom('match_run')
    .select(['id', 'created_at', 'stats'])
    .where('disruption_id', '=', disruptionId)
    .where('created_at', '<=', asOf)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .executeTakeFirst();
  if (!row) return null;
  const lines = (row.stats as { shortfall?: ShortfallLine[] }).shortfall ?? [];
  return { runId: row.id, runAt: row.created_at, lines };
}

/** The audit events that issued a report, found by the SHA-256 of a file or of its content. */
export async function reportIssues(
  db: Db,
  sha256: string,
): Promise<{ seq: number; at: Date; actor: string; detail: Record<string, unknown> }[]> {
  const { rows } = await sql<{
    seq: number;
    at: Date;
    actor: string;
    detail: Record<string, unknown>;
  }>`
    select seq, at, actor, detail from audit_event
     where action = 'report.issue'
       and (detail->>'fileSha256' = ${sha256} or detail->>'contentSha256' = ${sha256})
     order by seq`.execute(db);
  return rows;
}

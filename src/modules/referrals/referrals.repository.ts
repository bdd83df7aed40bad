import { sql, type RawBuilder } from 'kysely';
import type { Db, Row } from '../../db/database.ts';
import { withDbErrors } from '../../db/errors.ts';
import { updateVersioned } from '../../db/versioned.ts';
import { uuidv7 } from '../../shared/ids.ts';
import { decodeCursor, toPage, type Page, type PageRequest } from '../../shared/page.ts';
import { displacedPatientIdsSql } from '../disruptions/disruptions.repository.ts';
import { recentDischargeDays } from '../patients/patients.domain.ts';
import type { ContactPreferences } from '../patients/patients.domain.ts';
import type {
  DeclineReason,
  HistoryEntry,
  OutreachChannel,
  OutreachOutcome,
  Referral,
  ReferralStatus,
  TransitionChange,
} from './referrals.domain.ts';

// The CHECKs on status and decline_reason hold them to the domain's unions; history is written
// only through this module.
export function toReferral(row: Row<'referral'>): Referral {
  return {
    id: row.id,
    patientId: row.patient_id,
    providerId: row.provider_id,
    proposalId: row.proposal_id,
    status: row.status as ReferralStatus,
    dueAt: row.due_at,
    sentAt: row.sent_at,
    responseDueAt: row.response_due_at,
    acceptedAt: row.accepted_at,
    firstAppointmentAt: row.first_appointment_at,
    declineReason: row.decline_reason as DeclineReason | null,
    reason: row.reason,
    history: row.history as HistoryEntry[],
    version: row.version,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export async function findReferral(
  db: Db,
  id: string,
  lock = false,
): Promise<Referral | undefined> {
  let query = db.selectFrom('referral').selectAll().where('id', '=', id);
  if (lock) query = query.forUpdate();
  const row = await query.executeTakeFirst();
  return row && toReferral(row);
}

export interface ReferralFilter {
  patientId?: string | undefined;
  providerId?: string | undefined;
  status?: ReferralStatus | undefined;
}

export async function listReferrals(
  db: Db,
  filter: ReferralFilter,
  page: PageRequest,
): Promise<Page<Referral>> {
  let query = db
    .selectFrom('referral')
    .selectAll()
    .orderBy('id')
    .limit(page.limit + 1);
  if (page.cursor) query = query.where('id', '>', decodeCursor(page.cursor));
  if (filter.patientId) query = query.where('patient_id', '=', filter.patientId);
  if (filter.providerId) query = query.where('provider_id', '=', filter.providerId);
  if (filter.status) query = query.where('status', '=', filter.status);
  return toPage(await query.execute(), page.limit, toReferral);
}

/** Throws NOT_FOUND or VERSION_CONFLICT. */
export async function applyTransition(
  db: Db,
  id: string,
  version: number,
  change: TransitionChange & { responseDueAt?: Date; dueAt?: Date },
): Promise<Referral> {
  const row = await updateVersioned(db, 'referral', id, version, {
    status: change.status,
    // As JSON text: node-postgres would send a bare array as a Postgres array. updateVersioned's
    // patch type does not admit an expression, though Kysely's set() does.
    history: sql`${JSON.stringify(change.history)}::jsonb` as unknown as unknown[],
    sent_at: change.sentAt,
    accepted_at: change.acceptedAt,
    first_appointment_at: change.firstAppointmentAt,
    decline_reason: change.declineReason,
    response_due_at: change.responseDueAt,
    due_at: change.dueAt,
  });
  return toReferral(row);
}

/**
 * The SQL of "places a provider has given this week": referrals waiting on it (draft or sent)
 * and those it accepted in the last seven days, whatever became of them since. The matcher and
 * the accept check count the same way.
 */
export function placesTakenSql(providerColumn: RawBuilder<string>, now: Date): RawBuilder<number> {
  return sql<number>`(select count(*)::int from referral r
    where r.provider_id = ${providerColumn}
      and (r.status in ('draft', 'sent')
           or r.accepted_at > ${now}::timestamptz - interval '7 days'))`;
}

/**
 * Locks the provider's row (so accepts queue one after another) and reads its weekly capacity and
 * how many referrals it accepted in the last seven days.
 */
export async function lockProviderPlaces(
  db: Db,
  providerId: string,
  now: Date,
): Promise<{ weeklyCapacity: number; acceptedThisWeek: number } | undefined> {
  const provider = await db
    .selectFrom('outside_provider')
    .select('weekly_capacity')
    .where('id', '=', providerId)
    .forUpdate()
    .executeTakeFirst();
  if (!provider) return undefined;
  // Counted in a statement of its own, after the lock: a subquery of the locking statement would
  // read the snapshot taken before waiting, and miss the accept that held the lock.
  const { accepted } = await db
    .selectFrom('referral')
    .select((eb) => eb.fn.countAll<number>().as('accepted'))
    .where('provider_id', '=', providerId)
    .where('accepted_at', '>', sql<Date>`${now}::timestamptz - interval '7 days'`)
    .executeTakeFirstOrThrow();
  return { weeklyCapacity: provider.weekly_capacity, acceptedThisWeek: accepted };
}

/** A decline for lack of capacity is a confirmation that there is none: no places until re-confirmed. */
export async function markProviderFull(db: Db, providerId: string, at: Date): Promise<void> {
  await db
    .updateTable('outside_provider')
    .set({
      weekly_capacity: 0,
      capacity_confirmed_at: at,
      version: sql`version + 1`,
      updated_at: sql`now()`,
    })
    .where('id', '=', providerId)
    .execute();
}

export async function patientContact(
  db: Db,
  patientId: string,
): Promise<{ preferences: ContactPreferences } | undefined> {
  const row = await db
    .selectFrom('patient')
    .select('contact_preferences')
    .where('id', '=', patientId)
    .executeTakeFirst();
  return row && { preferences: row.contact_preferences };
}

export interface OutreachAttempt {
  id: string;
  patientId: string;
  referralId: string | null;
  channel: OutreachChannel;
  at: Date;
  outcome: OutreachOutcome;
  note: string | null;
  recordedBy: string;
}

function toAttempt(row: Row<'outreach'>): OutreachAttempt {
  return {
    id: row.id,
    patientId: row.patient_id,
    referralId: row.referral_id,
    channel: row.channel as OutreachChannel,
    at: row.at,
    outcome: row.outcome as OutreachOutcome,
    note: row.note,
    recordedBy: row.recorded_by,
  };
}

export async function insertOutreach(
  db: Db,
  attempt: Omit<OutreachAttempt, 'id'>,
): Promise<OutreachAttempt> {
  const row = await withDbErrors(() =>
    db
      .insertInto('outreach')
      .values({
        id: uuidv7(),
        patient_id: attempt.patientId,
        referral_id: attempt.referralId,
        channel: attempt.channel,
        at: attempt.at,
        outcome: attempt.outcome,
        note: attempt.note,
        recorded_by: attempt.recordedBy,
      })
      .returningAll()
      .executeTakeFirstOrThrow(),
  );
  return toAttempt(row);
}

/** The patient's attempts, newest first. */
export async function patientOutreach(db: Db, patientId: string): Promise<OutreachAttempt[]> {
  const rows = await db
    .selectFrom('outreach')
    .selectAll()
    .where('patient_id', '=', patientId)
    .orderBy('at', 'desc')
    .orderBy('id', 'desc')
    .execute();
  return rows.map(toAttempt);
}

export const actionReasons = [
  'awaiting_response',
  'declined_without_plan',
  'visit_after_deadline',
] as const;
export type ActionReason = (typeof actionReasons)[number];

/** Tier rank as risk.domain.ts ranks it: urgent 0 … standard 4. */
function tierRankSql(now: Date): RawBuilder<number> {
  return sql<number>`case
    when p.conditions && array['perinatal_psychosis_risk']
      or (p.perinatal and p.conditions && array['psychosis']) then 0
    when p.discharged_at between ${now}::timestamptz - ${`${recentDischargeDays} days`}::interval
      and ${now} then 1
    when p.risk = 'high' then 2
    when p.perinatal then 3
    else 4 end`;
}

/**
 * Referrals that need a person: sent and unanswered past the response deadline; declined,
 * expired or no-show with no newer referral or proposal for the patient; accepted or scheduled
 * with the first visit after the patient's deadline. Highest risk first, then oldest.
 */
export async function referralsNeedingAction(
  db: Db,
  now: Date,
  limit: number,
): Promise<{ referral: Referral; reason: ActionReason; tierRank: number }[]> {
  const { rows } = await sql<Row<'referral'> & { action: ActionReason; tier_rank: number }>`
    select r.*, ${tierRankSql(now)} as tier_rank,
           case when r.status = 'sent' then 'awaiting_response'
                when r.status in ('declined', 'expired', 'no_show') then 'declined_without_plan'
                else 'visit_after_deadline' end as action
      from referral r join patient p on p.id = r.patient_id
     where (r.status = 'sent' and r.response_due_at < ${now})
        or (r.status in ('declined', 'expired', 'no_show')
            and not exists (select 1 from referral n
                             where n.patient_id = r.patient_id and n.created_at > r.updated_at
                               and n.status not in ('cancelled'))
            and not exists (select 1 from match_proposal mp join match_run mr on mr.id = mp.run_id
                             where mp.patient_id = r.patient_id and mr.created_at > r.updated_at))
        or (r.status in ('accepted', 'scheduled') and r.first_appointment_at > r.due_at)
     order by tier_rank, r.updated_at, r.id
     limit ${limit}`.execute(db);
  return rows.map((row) => ({
    referral: toReferral(row),
    reason: row.action,
    tierRank: row.tier_rank,
  }));
}

/** The disruption whose plan made this proposal, if any. */
export async function disruptionOfProposal(db: Db, proposalId: string): Promise<string | null> {
  const row = await db
    .selectFrom('match_proposal as p')
    .innerJoin('match_run as r', 'r.id', 'p.run_id')
    .select('r.disruption_id')
    .where('p.id', '=', proposalId)
    .executeTakeFirst();
  return row?.disruption_id ?? null;
}

export interface ReferralCounts {
  sent: number;
  accepted: number;
  completed: number;
  completedInTime: number;
  /** Median business days from sending to the first visit, over completed referrals. */
  medianBusinessDays: number | null;
}

/**
 * Closed-loop counts of the referrals sent in [from, to) (of the patients a disruption displaced,
 * when given), in the database; business days from the business_day table. With `asOf`, each
 * referral counts as it stood then: its status is the last one its history stamped by then.
 */
export async function referralCounts(
  db: Db,
  filter: { from: Date; to: Date; disruptionId?: string | undefined; asOf?: Date | undefined },
  timeZone: string,
): Promise<ReferralCounts> {
  const displaced =
    filter.disruptionId === undefined
      ? sql<boolean>`true`
      : sql<boolean>`r.patient_id in ${displacedPatientIdsSql(filter.disruptionId)}`;
  const asOf = filter.asOf ?? null;
  const { rows } = await sql<{
    sent: number;
    accepted: number;
    completed: number;
    completed_in_time: number;
    median: number | null;
  }>`
    with r as (
      select r.sent_at, r.accepted_at, r.first_appointment_at, r.due_at,
             case when ${asOf}::timestamptz is null then r.status
                  else coalesce((select h->>'to' from jsonb_array_elements(r.history) h
                                  where (h->>'at')::timestamptz <= ${asOf}::timestamptz
                                  order by (h->>'at')::timestamptz desc limit 1), 'draft')
             end as status
        from referral r
       where r.sent_at >= ${filter.from} and r.sent_at < ${filter.to} and ${displaced}
    )
    select count(*)::int as sent,
           count(*) filter (where r.accepted_at <= coalesce(${asOf}::timestamptz, r.accepted_at))::int
             as accepted,
           count(*) filter (where r.status = 'completed')::int as completed,
           count(*) filter (where r.status = 'completed' and r.first_appointment_at < r.due_at)::int
             as completed_in_time,
           (percentile_cont(0.5) within group (order by b2.ordinal - b1.ordinal)
             filter (where r.status = 'completed'))::float8 as median
      from r
      left join business_day b1 on b1.day = (r.sent_at at time zone ${timeZone})::date
      left join business_day b2 on b2.day = (r.first_appointment_at at time zone ${timeZone})::date`.execute(
    db,
  );
  const row = rows[0];
  return {
    sent: row?.sent ?? 0,
    accepted: row?.accepted ?? 0,
    completed: row?.completed ?? 0,
    completedInTime: row?.completed_in_time ?? 0,
    medianBusinessDays: row?.median ?? null,
  };
}

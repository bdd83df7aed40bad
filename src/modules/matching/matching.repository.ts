import { sql, type RawBuilder } from 'kysely';
import { uuidArray } from '../../db/arrays.ts';
import { placesTakenSql } from '../referrals/referrals.repository.ts';
import type { Db, Row } from '../../db/database.ts';
import { withDbErrors } from '../../db/errors.ts';
import { uuidv7 } from '../../shared/ids.ts';
import { decodeCursor, toPage, type Page, type PageRequest } from '../../shared/page.ts';
import type {
  Accommodation,
  Certification,
  GroupModality,
  ProviderModality,
  Specialty,
} from '../vocabulary/vocabulary.domain.ts';
import type {
  AppointmentTarget,
  GroupSeatTarget,
  OutsideProviderTarget,
  TimeSpan,
} from './candidate-targets.domain.ts';
import {
  individualSlots,
  type MatchProposal,
  type MatchRun,
  type ProposalDecision,
  type ProposalExplanation,
  type ProposalOption,
  type RunStats,
} from './plan.domain.ts';

/** Runs `insert` on slices of a thousand rows: Postgres takes at most 65,535 parameters. */
async function inChunks<T>(rows: readonly T[], insert: (slice: T[]) => Promise<unknown>) {
  for (let i = 0; i < rows.length; i += 1000)
    await withDbErrors(() => insert(rows.slice(i, i + 1000)));
}

/** Instants inside arrays travel as epoch milliseconds: both engines parse float8[] alike. */
const epochMs = (column: string): RawBuilder<number> =>
  sql`(extract(epoch from ${sql.ref(column)}) * 1000)::float8`;

/** A target with the name people know it by, for explanations. */
export type Named<T> = T & { name: string };

/** How far ahead a group's sessions and a clinician's free slots are looked for. */
export const lookAheadDays = 28;

/**
 * Active groups outside `excludedGroupIds`, with their open seats (capacity − active
 * enrollments, never below 0), facilitators, place and the sessions of the next four weeks.
 */
export async function groupSeatTargets(
  db: Db,
  excludedGroupIds: readonly string[],
  now: Date,
): Promise<Named<GroupSeatTarget>[]> {
  const until = new Date(now.getTime() + lookAheadDays * 86_400_000);
  const { rows } = await sql<{
    id: string;
    name: string;
    specialty: string;
    language: string;
    accommodations: string[];
    modality: string;
    lat: number;
    lon: number;
    open_seats: number;
    facilitator_ids: string[] | null;
    session_starts: number[] | null;
    session_ends: number[] | null;
  }>`
    select g.id, g.name, g.specialty, g.language, g.accommodations, g.modality, l.lat, l.lon,
           greatest(0, g.capacity - g.seats_taken) as open_seats,
           (select array_agg(f.clinician_id order by f.clinician_id)
              from group_facilitator f where f.group_id = g.id) as facilitator_ids,
           s.starts as session_starts, s.ends as session_ends
      from therapy_group g
      join location l on l.id = g.location_id
      left join lateral (
        select array_agg(${epochMs('gs.starts_at')} order by gs.starts_at) as starts,
               array_agg(${epochMs('gs.ends_at')} order by gs.starts_at) as ends
          from group_session gs
         where gs.group_id = g.id and gs.status = 'scheduled'
           and gs.starts_at >= ${now} and gs.starts_at < ${until}) s on true
     where g.status = 'active' and not (g.id = any(${uuidArray(excludedGroupIds)}))
     order by g.id`.execute(db);
  return rows.map((row) => {
    const ends = row.session_ends ?? [];
    return {
      id: row.id,
      name: row.name,
      specialty: row.specialty as Specialty,
      language: row.language,
      accommodations: row.accommodations as Accommodation[],
      modality: row.modality as GroupModality,
      lat: row.lat,
      lon: row.lon,
      openSeats: row.open_seats,
      facilitatorIds: row.facilitator_ids ?? [],
      sessions: (row.session_starts ?? []).map((startsAt, i) => ({
        startsAt: new Date(startsAt),
        endsAt: new Date(ends[i] ?? startsAt),
      })),
    };
  });
}

/**
 * Outside providers that are accepting, with their weekly capacity less the places they have
 * given this week (`placesTakenSql`: referrals waiting on them, and those accepted in 7 days).
 */
export async function outsideProviderTargets(
  db: Db,
  now: Date,
): Promise<Named<OutsideProviderTarget>[]> {
  const { rows } = await sql<Row<'outside_provider'> & { open_referrals: number }>`
    select p.*, ${placesTakenSql(sql.ref('p.id'), now)} as open_referrals
      from outside_provider p
     where p.accepting
     order by p.id`.execute(db);
  return rows.map((row) => ({
    id: row.id,
    name: row.organization ? `${row.name} (${row.organization})` : row.name,
    specialties: row.specialties as Specialty[],
    certifications: row.certifications as Certification[],
    languages: row.languages,
    modality: row.modality as ProviderModality,
    lat: row.lat,
    lon: row.lon,
    accommodations: row.accommodations as Accommodation[],
    weeklyCapacity: Math.max(0, row.weekly_capacity - row.open_referrals),
    accepting: row.accepting,
  }));
}

/**
 * In-network clinicians who have time: active, outside `excludedClinicianIds`, with the slots
 * `individualSlots` gives them less those their booked appointments already fill. They see
 * patients in person at their clinic or by video; their clinic's access is their accommodation.
 */
export async function appointmentTargets(
  db: Db,
  excludedClinicianIds: readonly string[],
  now: Date,
  timeZone: string,
): Promise<Named<AppointmentTarget>[]> {
  const { rows } = await sql<{
    id: string;
    name: string;
    specialties: string[];
    certifications: string[];
    languages: string[];
    fte: number;
    lat: number;
    lon: number;
    accessible: boolean;
    booked: number[] | null;
  }>`
    select c.id, c.name, c.specialties, c.certifications, c.languages, c.fte, l.lat, l.lon,
           l.accessible,
           (select array_agg(${epochMs('a.starts_at')}) from appointment a
             where a.clinician_id = c.id and a.status = 'booked' and a.starts_at >= ${now})
             as booked
      from clinician c join location l on l.id = c.location_id
     where c.status = 'active' and not (c.id = any(${uuidArray(excludedClinicianIds)}))
     order by c.id`.execute(db);
  return rows.flatMap((row) => {
    const slots = individualSlots(
      now,
      row.fte,
      (row.booked ?? []).map((ms) => new Date(ms)),
      timeZone,
    );
    if (slots.length === 0) return [];
    return [
      {
        id: row.id,
        name: row.name,
        specialties: row.specialties as Specialty[],
        certifications: row.certifications as Certification[],
        languages: row.languages,
        modality: 'both' as const,
        lat: row.lat,
        lon: row.lon,
        accommodations: row.accessible ? (['wheelchair'] as Accommodation[]) : [],
        slots,
      },
    ];
  });
}

/** Upcoming commitments of each patient: sessions of other groups and booked visits. */
export async function patientCommitments(
  db: Db,
  patientIds: readonly string[],
  excludedGroupIds: readonly string[],
  now: Date,
): Promise<Map<string, TimeSpan[]>> {
  const busy = new Map<string, TimeSpan[]>();
  if (patientIds.length === 0) return busy;
  const until = new Date(now.getTime() + lookAheadDays * 86_400_000);
  const { rows } = await sql<{ patient_id: string; starts_at: Date; ends_at: Date }>`
    select e.patient_id, s.starts_at, s.ends_at
      from enrollment e join group_session s on s.group_id = e.group_id
     where e.patient_id = any(${uuidArray(patientIds)}) and e.status = 'active'
       and not (e.group_id = any(${uuidArray(excludedGroupIds)}))
       and s.status = 'scheduled' and s.starts_at >= ${now} and s.starts_at < ${until}
    union all
    select a.patient_id, a.starts_at, a.starts_at + interval '1 hour'
      from appointment a
     where a.patient_id = any(${uuidArray(patientIds)}) and a.status = 'booked'
       and a.starts_at >= ${now} and a.starts_at < ${until}`.execute(db);
  for (const row of rows) {
    const list = busy.get(row.patient_id) ?? [];
    list.push({ startsAt: row.starts_at, endsAt: row.ends_at });
    busy.set(row.patient_id, list);
  }
  return busy;
}

/** Patients already placed (a committed proposal other than unmatched) for this disruption. */
export async function placedPatientIds(db: Db, disruptionId: string): Promise<Set<string>> {
  const rows = await db
    .selectFrom('match_proposal as p')
    .innerJoin('match_run as r', 'r.id', 'p.run_id')
    .select('p.patient_id')
    .where('r.disruption_id', '=', disruptionId)
    .where('p.decision', '=', 'committed')
    .where('p.option', '<>', 'unmatched')
    // A referral that was declined, expired, ended in a no-show or was cancelled placed no one.
    .where((eb) =>
      eb.not(
        eb.exists(
          eb
            .selectFrom('referral as f')
            .select('f.id')
            .whereRef('f.proposal_id', '=', 'p.id')
            .where('f.status', 'in', ['declined', 'expired', 'no_show', 'cancelled']),
        ),
      ),
    )
    .execute();
  return new Set(rows.map((row) => row.patient_id));
}

/** For each patient, the outside providers whose referral for them failed: not offered again. */
export async function failedProviders(
  db: Db,
  patientIds: readonly string[],
): Promise<Map<string, Set<string>>> {
  const failed = new Map<string, Set<string>>();
  if (patientIds.length === 0) return failed;
  const rows = await db
    .selectFrom('referral')
    .select(['patient_id', 'provider_id'])
    .where('patient_id', '=', sql<string>`any(${uuidArray(patientIds)})`)
    .where('status', 'in', ['declined', 'expired', 'no_show'])
    .execute();
  for (const row of rows) {
    const set = failed.get(row.patient_id) ?? new Set<string>();
    set.add(row.provider_id);
    failed.set(row.patient_id, set);
  }
  return failed;
}

function toRun(row: Row<'match_run'>): MatchRun {
  return {
    id: row.id,
    disruptionId: row.disruption_id,
    params: row.params,
    stats: row.stats as unknown as RunStats,
    createdAt: row.created_at,
    createdBy: row.created_by,
    solveMs: row.solve_ms,
  };
}

// The CHECKs on option and decision hold them to the domain's unions; explanations are written
// only by insertRun below.
function toProposal(row: Row<'match_proposal'>): MatchProposal {
  return {
    id: row.id,
    runId: row.run_id,
    patientId: row.patient_id,
    rank: row.rank,
    tier: row.tier as MatchProposal['tier'],
    option: row.option as ProposalOption,
    targetId: row.target_id,
    cost: row.cost,
    explanation: row.explanation as unknown as ProposalExplanation,
    decision: row.decision as ProposalDecision,
    conflict: row.conflict,
    decidedBy: row.decided_by,
    decidedAt: row.decided_at,
    committedEntity: row.committed_entity as MatchProposal['committedEntity'],
    committedId: row.committed_id,
    version: row.version,
  };
}

/** Writes a run and its proposals (in rank order, so id order is rank order). */
export async function insertRun(
  db: Db,
  run: Omit<MatchRun, 'id'>,
  proposals: readonly Omit<
    MatchProposal,
    | 'id'
    | 'runId'
    | 'decision'
    | 'conflict'
    | 'decidedBy'
    | 'decidedAt'
    | 'committedEntity'
    | 'committedId'
    | 'version'
  >[],
): Promise<MatchRun> {
  const row = await withDbErrors(() =>
    db
      .insertInto('match_run')
      .values({
        id: uuidv7(),
        disruption_id: run.disruptionId,
        params: run.params,
        stats: run.stats as unknown as Record<string, unknown>,
        created_by: run.createdBy,
        created_at: run.createdAt,
        solve_ms: run.solveMs,
      })
      .returningAll()
      .executeTakeFirstOrThrow(),
  );
  const rows = proposals.map((p) => ({
    id: uuidv7(),
    run_id: row.id,
    patient_id: p.patientId,
    rank: p.rank,
    tier: p.tier,
    option: p.option,
    target_id: p.targetId,
    cost: p.cost,
    explanation: p.explanation as unknown as Record<string, unknown>,
  }));
  await inChunks(rows, (slice) => db.insertInto('match_proposal').values(slice).execute());
  return toRun(row);
}

export async function findRun(db: Db, id: string, lock = false): Promise<MatchRun | undefined> {
  let query = db.selectFrom('match_run').selectAll().where('id', '=', id);
  if (lock) query = query.forUpdate();
  const row = await query.executeTakeFirst();
  return row && toRun(row);
}

export async function listRuns(
  db: Db,
  filter: { disruptionId?: string | undefined },
  page: PageRequest,
): Promise<Page<MatchRun>> {
  let query = db
    .selectFrom('match_run')
    .selectAll()
    .orderBy('id')
    .limit(page.limit + 1);
  if (page.cursor) query = query.where('id', '>', decodeCursor(page.cursor));
  if (filter.disruptionId) query = query.where('disruption_id', '=', filter.disruptionId);
  return toPage(await query.execute(), page.limit, toRun);
}

/** A run's proposals in rank order (highest risk first), as a page. */
export async function listProposals(
  db: Db,
  runId: string,
  filter: { decision?: ProposalDecision | undefined; option?: ProposalOption | undefined },
  page: PageRequest,
): Promise<Page<MatchProposal>> {
  let query = db
    .selectFrom('match_proposal')
    .selectAll()
    .where('run_id', '=', runId)
    .orderBy('id')
    .limit(page.limit + 1);
  if (page.cursor) query = query.where('id', '>', decodeCursor(page.cursor));
  if (filter.decision) query = query.where('decision', '=', filter.decision);
  if (filter.option) query = query.where('option', '=', filter.option);
  return toPage(await query.execute(), page.limit, toProposal);
}

export async function findProposal(
  db: Db,
  id: string,
  lock = false,
): Promise<MatchProposal | undefined> {
  let query = db.selectFrom('match_proposal').selectAll().where('id', '=', id);
  if (lock) query = query.forUpdate();
  const row = await query.executeTakeFirst();
  return row && toProposal(row);
}

/** Every proposal of a run, in rank order, locked when asked (commit holds them all). */
export async function runProposals(db: Db, runId: string, lock = false): Promise<MatchProposal[]> {
  let query = db.selectFrom('match_proposal').selectAll().where('run_id', '=', runId).orderBy('id');
  if (lock) query = query.forUpdate();
  return (await query.execute()).map(toProposal);
}

export async function updateProposal(
  db: Db,
  id: string,
  change: {
    decision?: ProposalDecision;
    option?: ProposalOption;
    targetId?: string | null;
    cost?: number;
    explanation?: ProposalExplanation;
    conflict?: string | null;
    decidedBy?: string;
    decidedAt?: Date;
    committedEntity?: MatchProposal['committedEntity'];
    committedId?: string | null;
  },
): Promise<MatchProposal> {
  const row = await withDbErrors(() =>
    db
      .updateTable('match_proposal')
      .set({
        decision: change.decision,
        option: change.option,
        target_id: change.targetId,
        cost: change.cost,
        explanation: change.explanation as unknown as Record<string, unknown> | undefined,
        conflict: change.conflict,
        decided_by: change.decidedBy,
        decided_at: change.decidedAt,
        committed_entity: change.committedEntity,
        committed_id: change.committedId,
        version: sql`version + 1`,
      })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow(),
  );
  return toProposal(row);
}

/** Sets one decision on many pending or decided (not committed) proposals of a run. */
export async function decideMany(
  db: Db,
  runId: string,
  proposalIds: readonly string[] | null,
  decision: ProposalDecision,
  by: string,
  at: Date,
): Promise<MatchProposal[]> {
  let query = db
    .updateTable('match_proposal')
    .set({ decision, decided_by: by, decided_at: at, version: sql`version + 1` })
    .where('run_id', '=', runId)
    .where('decision', '<>', 'committed')
    .where('decision', '<>', decision);
  if (proposalIds !== null)
    query = query.where('id', '=', sql<string>`any(${uuidArray(proposalIds)})`);
  return (await query.returningAll().execute()).map(toProposal);
}

/** Locks the groups in id order (so two commits never deadlock) and reads their seats. */
export async function lockGroups(
  db: Db,
  groupIds: readonly string[],
): Promise<Map<string, { openSeats: number; status: string }>> {
  if (groupIds.length === 0) return new Map();
  const rows = await db
    .selectFrom('therapy_group')
    .select(['id', 'capacity', 'seats_taken', 'status'])
    .where('id', '=', sql<string>`any(${uuidArray(groupIds)})`)
    .orderBy('id')
    .forUpdate()
    .execute();
  return new Map(
    rows.map((row) => [
      row.id,
      { openSeats: Math.max(0, row.capacity - row.seats_taken), status: row.status },
    ]),
  );
}

/** Patient–group pairs that already have an open enrollment. */
export async function openEnrollments(
  db: Db,
  pairs: readonly { patientId: string; groupId: string }[],
): Promise<Set<string>> {
  if (pairs.length === 0) return new Set();
  const rows = await db
    .selectFrom('enrollment')
    .select(['patient_id', 'group_id'])
    .where('status', '<>', 'ended')
    .where('patient_id', '=', sql<string>`any(${uuidArray(pairs.map((p) => p.patientId))})`)
    .execute();
  return new Set(rows.map((row) => `${row.patient_id}:${row.group_id}`));
}

/**
 * The providers among `providerIds` still accepting patients, their rows locked in id order: two
 * commits that refer to the same provider queue here, so the second sees the first's referrals.
 */
export async function acceptingProviders(
  db: Db,
  providerIds: readonly string[],
): Promise<Set<string>> {
  if (providerIds.length === 0) return new Set();
  const rows = await db
    .selectFrom('outside_provider')
    .select(['id', 'accepting'])
    .where('id', '=', sql<string>`any(${uuidArray(providerIds)})`)
    .orderBy('id')
    .forUpdate()
    .execute();
  return new Set(rows.filter((row) => row.accepting).map((row) => row.id));
}

/** Patient–provider pairs that already have an open referral (not yet seen, failed or cancelled). */
export async function openReferrals(
  db: Db,
  pairs: readonly { patientId: string; providerId: string }[],
): Promise<Set<string>> {
  if (pairs.length === 0) return new Set();
  const rows = await db
    .selectFrom('referral')
    .select(['patient_id', 'provider_id'])
    .where('status', 'in', ['draft', 'sent', 'accepted', 'scheduled'])
    .where('patient_id', '=', sql<string>`any(${uuidArray(pairs.map((p) => p.patientId))})`)
    .where('provider_id', '=', sql<string>`any(${uuidArray(pairs.map((p) => p.providerId))})`)
    .execute();
  return new Set(rows.map((row) => `${row.patient_id}:${row.provider_id}`));
}

/**
 * Locks the clinicians' rows in id order before their free slots are read, so two commits that
 * book the same clinician queue here and the second sees the first's appointments.
 */
export async function lockClinicians(db: Db, clinicianIds: readonly string[]): Promise<void> {
  if (clinicianIds.length === 0) return;
  await db
    .selectFrom('clinician')
    .select('id')
    .where('id', '=', sql<string>`any(${uuidArray(clinicianIds)})`)
    .orderBy('id')
    .forUpdate()
    .execute();
}

export async function insertEnrollments(
  db: Db,
  rows: readonly { id: string; patientId: string; groupId: string; startsOn: string }[],
  /** When they are made: the clock's now, not the database server's. */
  at: Date,
): Promise<void> {
  await inChunks(rows, (slice) =>
    db
      .insertInto('enrollment')
      .values(
        slice.map((r) => ({
          id: r.id,
          patient_id: r.patientId,
          group_id: r.groupId,
          status: 'active',
          starts_on: r.startsOn,
          created_at: at,
          updated_at: at,
        })),
      )
      .execute(),
  );
}

export async function insertReferrals(
  db: Db,
  rows: readonly {
    id: string;
    patientId: string;
    providerId: string;
    proposalId: string;
    dueAt: Date | null;
    reason: string;
    history: Record<string, unknown>[];
  }[],
  /** When they are made: the clock's now, not the database server's. */
  at: Date,
): Promise<void> {
  await inChunks(rows, (slice) =>
    db
      .insertInto('referral')
      .values(
        slice.map((r) => ({
          id: r.id,
          patient_id: r.patientId,
          provider_id: r.providerId,
          proposal_id: r.proposalId,
          status: 'draft',
          due_at: r.dueAt,
          reason: r.reason,
          // node-postgres would send a bare array as a Postgres array, not JSON.
          history: sql<unknown[]>`${JSON.stringify(r.history)}::jsonb`,
          created_at: at,
          updated_at: at,
        })),
      )
      .execute(),
  );
}

export async function insertAppointments(
  db: Db,
  rows: readonly {
    id: string;
    patientId: string;
    clinicianId: string;
    proposalId: string;
    urgent: boolean;
    requestedAt: Date;
    startsAt: Date;
  }[],
  /** When they are made: the clock's now, not the database server's. */
  at: Date,
): Promise<void> {
  await inChunks(rows, (slice) =>
    db
      .insertInto('appointment')
      .values(
        slice.map((r) => ({
          id: r.id,
          patient_id: r.patientId,
          clinician_id: r.clinicianId,
          proposal_id: r.proposalId,
          kind: 'follow_up',
          urgency: r.urgent ? 'urgent' : 'non_urgent',
          requested_at: r.requestedAt,
          first_offered_at: r.requestedAt,
          starts_at: r.startsAt,
          status: 'booked',
          created_at: at,
        })),
      )
      .execute(),
  );
}

import { sql } from 'kysely';
import type { Db, Row } from '../../db/database.ts';
import { withDbErrors } from '../../db/errors.ts';
import { updateVersioned } from '../../db/versioned.ts';
import { displacedPatientIdsSql } from '../disruptions/disruptions.repository.ts';
import { uuidv7 } from '../../shared/ids.ts';
import { decodeCursor, toPage, type Page, type PageRequest } from '../../shared/page.ts';
import type {
  GrievanceChannel,
  GrievanceStatus,
  GrievanceType,
  LineOfBusiness,
  PendingWith,
} from './grievances.domain.ts';

export interface Grievance {
  id: string;
  patientId: string;
  receivedAt: Date;
  channel: GrievanceChannel;
  type: GrievanceType;
  lineOfBusiness: LineOfBusiness;
  expedited: boolean;
  disruptionId: string | null;
  summary: string;
  /** Free text: returned to those who may read the grievance, never logged. */
  notes: string | null;
  status: GrievanceStatus;
  pendingWith: PendingWith;
  acknowledgedAt: Date | null;
  resolvedAt: Date | null;
  withdrawnAt: Date | null;
  resolution: string | null;
  regulatorNoticeAt: Date | null;
  dispositionSentAt: Date | null;
  receivedBy: string;
  version: number;
  createdAt: Date;
  updatedAt: Date;
}

// The CHECKs on channel, type, line of business and status hold them to the domain's lists.
function toGrievance(row: Row<'grievance'>): Grievance {
  return {
    id: row.id,
    patientId: row.patient_id,
    receivedAt: row.received_at,
    channel: row.channel as GrievanceChannel,
    type: row.type as GrievanceType,
    lineOfBusiness: row.line_of_business as LineOfBusiness,
    expedited: row.expedited,
    disruptionId: row.disruption_id,
    summary: row.summary,
    notes: row.notes,
    status: row.status as GrievanceStatus,
    pendingWith: row.pending_with as PendingWith,
    acknowledgedAt: row.acknowledged_at,
    resolvedAt: row.resolved_at,
    withdrawnAt: row.withdrawn_at,
    resolution: row.resolution,
    regulatorNoticeAt: row.regulator_notice_at,
    dispositionSentAt: row.disposition_sent_at,
    receivedBy: row.received_by,
    version: row.version,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export interface NewGrievance {
  patientId: string;
  receivedAt: Date;
  channel: string;
  type: string;
  lineOfBusiness: string;
  expedited: boolean;
  disruptionId?: string | null | undefined;
  summary: string;
  notes?: string | null | undefined;
}

/** Throws UNKNOWN_REFERENCE for an unknown patient or disruption. */
export async function insertGrievance(
  db: Db,
  input: NewGrievance,
  receivedBy: string,
  regulatorNoticeAt: Date | null,
): Promise<Grievance> {
  const row = await withDbErrors(() =>
    db
      .insertInto('grievance')
      .values({
        id: uuidv7(),
        patient_id: input.patientId,
        received_at: input.receivedAt,
        channel: input.channel,
        type: input.type,
        line_of_business: input.lineOfBusiness,
        expedited: input.expedited,
        disruption_id: input.disruptionId ?? null,
        summary: input.summary,
        notes: input.notes ?? null,
        received_by: receivedBy,
        regulator_notice_at: regulatorNoticeAt,
      })
      .returningAll()
      .executeTakeFirstOrThrow(),
  );
  return toGrievance(row);
}

export async function findGrievance(
  db: Db,
  id: string,
  lock = false,
): Promise<Grievance | undefined> {
  let query = db.selectFrom('grievance').selectAll().where('id', '=', id);
  if (lock) query = query.forUpdate();
  const row = await query.executeTakeFirst();
  return row && toGrievance(row);
}

export interface GrievanceFilter {
  status?: GrievanceStatus | undefined;
  patientId?: string | undefined;
  disruptionId?: string | undefined;
}

export async function listGrievances(
  db: Db,
  filter: GrievanceFilter,
  page: PageRequest,
): Promise<Page<Grievance>> {
  let query = db
    .selectFrom('grievance')
    .selectAll()
    .orderBy('id')
    .limit(page.limit + 1);
  if (page.cursor) query = query.where('id', '>', decodeCursor(page.cursor));
  if (filter.status) query = query.where('status', '=', filter.status);
  if (filter.patientId) query = query.where('patient_id', '=', filter.patientId);
  if (filter.disruptionId) query = query.where('disruption_id', '=', filter.disruptionId);
  return toPage(await query.execute(), page.limit, toGrievance);
}

/** Every open grievance (received or acknowledged). */
export async function openGrievances(db: Db): Promise<Grievance[]> {
  const rows = await db
    .selectFrom('grievance')
    .selectAll()
    .where('status', 'in', ['received', 'acknowledged'])
    .orderBy('received_at')
    .execute();
  return rows.map(toGrievance);
}

/** Throws NOT_FOUND or VERSION_CONFLICT. */
export async function updateGrievance(
  db: Db,
  id: string,
  version: number,
  patch: {
    status?: GrievanceStatus;
    acknowledgedAt?: Date;
    resolvedAt?: Date;
    withdrawnAt?: Date;
    resolution?: string;
    pendingWith?: string | undefined;
    regulatorNoticeAt?: Date | undefined;
    dispositionSentAt?: Date | undefined;
    summary?: string | undefined;
    notes?: string | null | undefined;
  },
): Promise<Grievance> {
  const row = await updateVersioned(db, 'grievance', id, version, {
    status: patch.status,
    acknowledged_at: patch.acknowledgedAt,
    resolved_at: patch.resolvedAt,
    withdrawn_at: patch.withdrawnAt,
    resolution: patch.resolution,
    pending_with: patch.pendingWith,
    regulator_notice_at: patch.regulatorNoticeAt,
    disposition_sent_at: patch.dispositionSentAt,
    summary: patch.summary,
    notes: patch.notes,
  });
  return toGrievance(row);
}

export interface QuarterlyCount {
  lineOfBusiness: string;
  type: string;
  pendingWith: string;
  count: number;
}

/**
 * Grievances pending or unresolved 30 days or more at `asOf` (the quarter's end): received at least
 * 30 days before it and neither resolved nor withdrawn by then.
 */
export async function pendingThirtyDays(db: Db, asOf: Date): Promise<QuarterlyCount[]> {
  const { rows } = await sql<{
    line_of_business: string;
    type: string;
    pending_with: string;
    count: number;
  }>`
    select line_of_business, type, pending_with, count(*)::int as count
      from grievance
     where received_at <= ${asOf}::timestamptz - interval '30 days'
       and (resolved_at is null or resolved_at > ${asOf})
       and (withdrawn_at is null or withdrawn_at > ${asOf})
     group by 1, 2, 3
     order by 1, 2, 3`.execute(db);
  return rows.map((r) => ({
    lineOfBusiness: r.line_of_business,
    type: r.type,
    pendingWith: r.pending_with,
    count: r.count,
  }));
}

/** Grievances received in [from, to), all and disruption-related (of one disruption, if given). */
export async function grievanceCounts(
  db: Db,
  filter: { from: Date; to: Date; disruptionId?: string | undefined },
): Promise<{ all: number; disruptionRelated: number }> {
  const { rows } = await sql<{ all: number; related: number }>`
    select count(*)::int as "all",
           count(*) filter (where disruption_id is not null
             and (${filter.disruptionId ?? null}::uuid is null
                  or disruption_id = ${filter.disruptionId ?? null}::uuid))::int as related
      from grievance
     where received_at >= ${filter.from} and received_at < ${filter.to}`.execute(db);
  return { all: rows[0]?.all ?? 0, disruptionRelated: rows[0]?.related ?? 0 };
}

/** Enrolled members of every service area: the denominator of per-member rates. */
export async function totalMembers(db: Db): Promise<number> {
  const row = await db
    .selectFrom('service_area')
    .select((eb) => eb.fn.coalesce(eb.fn.sum<number>('members'), sql<number>`0`).as('members'))
    .executeTakeFirstOrThrow();
  return row.members;
}

/** Patients a disruption displaced: enrolled in a group it cancelled sessions of. */
export async function displacedCount(db: Db, disruptionId: string): Promise<number> {
  const { rows } = await sql<{ n: number }>`
    select count(distinct patient_id)::int as n
      from ${displacedPatientIdsSql(disruptionId)} displaced`.execute(db);
  return rows[0]?.n ?? 0;
}

/** Patients in care during [from, to): an attended visit or session, or an active enrollment. */
export async function patientsInCare(db: Db, from: Date, to: Date): Promise<number> {
  const { rows } = await sql<{ n: number }>`
    select count(*)::int as n from patient p
     where exists (select 1 from appointment a where a.patient_id = p.id and a.status = 'attended'
                     and a.starts_at >= ${from} and a.starts_at < ${to})
        or exists (select 1 from enrollment e where e.patient_id = p.id and e.status = 'active')`.execute(
    db,
  );
  return rows[0]?.n ?? 0;
}

import { AppError } from '../../shared/errors.ts';
import type { Accommodation, GroupModality, Specialty } from '../vocabulary/vocabulary.domain.ts';
import { groupSize } from '../vocabulary/vocabulary.domain.ts';
import { sessionTimes, type GroupSchedule, type SessionTime } from './schedule.domain.ts';

export const groupKinds = ['open', 'closed'] as const;
export type GroupKind = (typeof groupKinds)[number];

export const groupStatuses = ['active', 'paused', 'ended'] as const;
export type GroupStatus = (typeof groupStatuses)[number];

export const facilitatorRoles = ['lead', 'co'] as const;
export type FacilitatorRole = (typeof facilitatorRoles)[number];

export const sessionStatuses = ['scheduled', 'held', 'cancelled'] as const;
export type SessionStatus = (typeof sessionStatuses)[number];

/** A group is run by at most this many clinicians. */
export const maxFacilitators = 4;

/** How far ahead a group's sessions are kept generated. */
export const sessionHorizonWeeks = 26;

export interface Facilitator {
  clinicianId: string;
  role: FacilitatorRole;
}

/** What a program manager sets on a therapy group. */
export interface GroupFields {
  name: string;
  specialty: Specialty;
  modality: GroupModality;
  /** ISO 639 code. */
  language: string;
  accommodations: Accommodation[];
  locationId: string;
  /** Hard maximum of active enrollments (1–12). */
  capacity: number;
  /** Below this many members the group is not clinically viable. */
  minSize: number;
  kind: GroupKind;
  status: GroupStatus;
  /** RFC 5545 RRULE, read in the organization's wall-clock time. */
  rrule: string;
  sessionMinutes: number;
  startsOn: string;
  endsOn: string | null;
}

/** A therapy group with its facilitators and its seat count. */
export interface Group extends GroupFields {
  id: string;
  facilitators: Facilitator[];
  /** Active enrollments. */
  enrolled: number;
  /** capacity − enrolled, never below 0. */
  openSeats: number;
  version: number;
  createdAt: Date;
  updatedAt: Date;
}

export type NewGroup = Omit<GroupFields, 'minSize'> & {
  /** Defaults to the clinical minimum (5), capped at the capacity. */
  minSize?: number | undefined;
  facilitators: Facilitator[];
};

export type GroupPatch = Partial<GroupFields> & {
  /** When given, replaces the whole list. */
  facilitators?: Facilitator[] | undefined;
};

export interface GroupFilter {
  specialty?: Specialty | undefined;
  locationId?: string | undefined;
  serviceAreaId?: string | undefined;
  modality?: GroupModality | undefined;
  language?: string | undefined;
  accommodation?: Accommodation | undefined;
  status?: GroupStatus | undefined;
  kind?: GroupKind | undefined;
  hasOpenSeats?: boolean | undefined;
  clinicianId?: string | undefined;
}

/** One meeting of a group. */
export interface GroupSession {
  id: string;
  startsAt: Date;
  endsAt: Date;
  status: SessionStatus;
  cancelReason: string | null;
  disruptionId: string | null;
  /** How many patients were recorded present, absent and excused (counts only: no one named). */
  attendance: { present: number; absent: number; excused: number };
}

export interface SessionFilter {
  from?: Date | undefined;
  to?: Date | undefined;
  status?: SessionStatus | undefined;
}

/** A stored session as regeneration sees it. */
export interface ExistingSession {
  id: string;
  startsAt: Date;
  endsAt: Date;
  status: SessionStatus;
  hasAttendance: boolean;
}

export interface SessionPlan {
  /** Ids of sessions to delete. */
  drop: string[];
  /** Times to insert. */
  add: SessionTime[];
}

export function defaultMinSize(capacity: number): number {
  return Math.min(groupSize.minimum, capacity);
}

export function openSeats(capacity: number, enrolled: number): number {
  return Math.max(0, capacity - enrolled);
}

/**
 * Checks the rules that tie a group's fields together, on the group as it will be stored.
 * Throws VALIDATION_FAILED naming the field, in the same shape as a schema failure.
 */
export function assertGroupConsistent(
  group: Pick<GroupFields, 'capacity' | 'minSize' | 'startsOn' | 'endsOn'>,
): void {
  const issues: { field: string; problem: string }[] = [];
  if (group.minSize > group.capacity)
    issues.push({
      field: 'body.minSize',
      problem: `must be at most the capacity (${group.capacity})`,
    });
  if (group.endsOn !== null && group.endsOn < group.startsOn)
    issues.push({
      field: 'body.endsOn',
      problem: `must be on or after startsOn (${group.startsOn})`,
    });
  const first = issues[0];
  if (first)
    throw new AppError('VALIDATION_FAILED', `Invalid ${first.field}: ${first.problem}`, { issues });
}

export function scheduleOf(group: GroupFields): GroupSchedule {
  return {
    rrule: group.rrule,
    startsOn: group.startsOn,
    endsOn: group.endsOn,
    sessionMinutes: group.sessionMinutes,
  };
}

/** Whether a change to a group changes which future sessions it should have. */
export function sessionsAffected(before: GroupFields, after: GroupFields): boolean {
  return (
    before.rrule !== after.rrule ||
    before.startsOn !== after.startsOn ||
    before.endsOn !== after.endsOn ||
    before.sessionMinutes !== after.sessionMinutes ||
    (before.status === 'ended') !== (after.status === 'ended')
  );
}

/**
 * The sessions a group should have from `now` to the horizon (26 weeks, or endsOn if sooner).
 * An ended group meets no more.
 */
export function wantedSessions(group: GroupFields, now: Date, timeZone: string): SessionTime[] {
  if (group.status === 'ended') return [];
  const horizon = new Date(now.getTime() + sessionHorizonWeeks * 7 * 86_400_000);
  return sessionTimes(scheduleOf(group), now, horizon, timeZone);
}

/** Only a future session that is still scheduled and has no attendance may be regenerated. */
function replaceable(session: ExistingSession, now: Date): boolean {
  return session.startsAt >= now && session.status === 'scheduled' && !session.hasAttendance;
}

/**
 * Decides how to bring a group's stored sessions in line with the wanted times.
 * A replaceable session at exactly a wanted time (start and end) is kept, so its id stays stable;
 * the other replaceable ones are dropped. A wanted time is added unless a session that stays
 * already starts then: held, cancelled and attended sessions are never touched, and a start time
 * is never duplicated.
 */
export function planSessions(
  existing: readonly ExistingSession[],
  wanted: readonly SessionTime[],
  now: Date,
): SessionPlan {
  const wantedByStart = new Map<number, SessionTime>();
  for (const time of wanted) wantedByStart.set(time.startsAt.getTime(), time);

  const drop: string[] = [];
  const taken = new Set<number>();
  for (const session of existing) {
    const start = session.startsAt.getTime();
    const match = wantedByStart.get(start);
    const keep =
      !replaceable(session, now) ||
      (match !== undefined && match.endsAt.getTime() === session.endsAt.getTime());
    if (keep) taken.add(start);
    else drop.push(session.id);
  }
  const add = [...wantedByStart.values()]
    .filter((time) => !taken.has(time.startsAt.getTime()))
    .sort((a, b) => a.startsAt.getTime() - b.startsAt.getTime());
  return { drop, add };
}

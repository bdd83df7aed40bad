import { localDateOf, zonedTimeToUtc } from '../../shared/clock.ts';
import { AppError } from '../../shared/errors.ts';
import {
  careDeadline,
  rankByRisk,
  riskTiers,
  type CareStandard,
  type RiskInput,
  type RiskTier,
} from '../matching/risk.domain.ts';
import type { Specialty } from '../vocabulary/vocabulary.domain.ts';

/**
 * Disruptions: a strike, a clinician's leave, a facility closure or a group's cancellation, over
 * a date range and a scope of clinicians, locations, groups and service areas. A draft can be
 * simulated and edited; applying it cancels the sessions in scope (status active); ending it
 * restores the sessions after its end (status ended).
 */

export const disruptionKinds = [
  'strike',
  'clinician_leave',
  'facility_closure',
  'group_cancellation',
] as const;
export type DisruptionKind = (typeof disruptionKinds)[number];

export const disruptionStatuses = ['draft', 'active', 'ended'] as const;
export type DisruptionStatus = (typeof disruptionStatuses)[number];

export interface DisruptionScope {
  clinicianIds: string[];
  locationIds: string[];
  groupIds: string[];
  serviceAreaIds: string[];
}

export interface Disruption {
  id: string;
  kind: DisruptionKind;
  title: string;
  scope: DisruptionScope;
  startsOn: string;
  endsOn: string | null;
  status: DisruptionStatus;
  appliedAt: Date | null;
  endedAt: Date | null;
  version: number;
  createdAt: Date;
  updatedAt: Date;
}

export interface NewDisruption {
  kind: DisruptionKind;
  title: string;
  scope: DisruptionScope;
  startsOn: string;
  endsOn?: string | null | undefined;
}

export type DisruptionPatch = Partial<NewDisruption>;

export interface DisruptionFilter {
  status?: DisruptionStatus | undefined;
}

export const emptyScope = (): DisruptionScope => ({
  clinicianIds: [],
  locationIds: [],
  groupIds: [],
  serviceAreaIds: [],
});

/** Reads a stored scope, tolerating missing keys (they mean "none"). */
export function scopeOf(stored: Record<string, unknown>): DisruptionScope {
  const list = (key: keyof DisruptionScope): string[] => {
    const value = stored[key];
    return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
  };
  return {
    clinicianIds: list('clinicianIds'),
    locationIds: list('locationIds'),
    groupIds: list('groupIds'),
    serviceAreaIds: list('serviceAreaIds'),
  };
}

function invalid(field: string, problem: string): AppError {
  return new AppError('VALIDATION_FAILED', `Invalid ${field}: ${problem}`, {
    issues: [{ field, problem }],
  });
}

/** A disruption must name something it disrupts, and end no earlier than it starts. */
export function assertValidDisruption(d: {
  scope: DisruptionScope;
  startsOn: string;
  endsOn?: string | null | undefined;
}): void {
  const { scope } = d;
  const size =
    scope.clinicianIds.length +
    scope.locationIds.length +
    scope.groupIds.length +
    scope.serviceAreaIds.length;
  if (size === 0)
    throw invalid(
      'scope',
      'name at least one clinician, location, group or service area the disruption affects',
    );
  if (d.endsOn !== undefined && d.endsOn !== null && d.endsOn < d.startsOn)
    throw invalid('endsOn', 'the disruption cannot end before it starts');
}

/**
 * Which group a scope covers. A group is disrupted when it, its location or its service area is
 * named, or when every one of its facilitators is: a group whose co-facilitator is still working
 * can go on.
 */
export function groupInScope(
  group: { id: string; locationId: string; serviceAreaId: string; facilitatorIds: string[] },
  scope: DisruptionScope,
): boolean {
  return (
    scope.groupIds.includes(group.id) ||
    scope.locationIds.includes(group.locationId) ||
    scope.serviceAreaIds.includes(group.serviceAreaId) ||
    (group.facilitatorIds.length > 0 &&
      group.facilitatorIds.every((id) => scope.clinicianIds.includes(id)))
  );
}

/** The next calendar day of a 'YYYY-MM-DD' date. */
export function nextDay(date: string): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}

function midnight(date: string, timeZone: string): Date {
  const [year = 0, month = 1, day = 1] = date.split('-').map(Number);
  return zonedTimeToUtc({ year, month, day, hour: 0, minute: 0, second: 0 }, timeZone);
}

/**
 * The instants a disruption covers: from midnight starting its first day to midnight ending its
 * last, in the organization's time zone. `until` is null while it has no end.
 */
export function windowOf(
  d: { startsOn: string; endsOn: string | null },
  timeZone: string,
): { from: Date; until: Date | null } {
  return {
    from: midnight(d.startsOn, timeZone),
    until: d.endsOn === null ? null : midnight(nextDay(d.endsOn), timeZone),
  };
}

/** Throws INVALID_TRANSITION unless the disruption is in one of `allowed`. */
function assertStatus(
  d: Disruption,
  allowed: readonly DisruptionStatus[],
  action: string,
  why: string,
): void {
  if (!allowed.includes(d.status))
    throw new AppError(
      'INVALID_TRANSITION',
      `A ${d.status} disruption cannot be ${action}: ${why}`,
      {
        id: d.id,
        status: d.status,
        allowed,
      },
    );
}

/** Only a draft is edited: an applied disruption's scope is the record of what was cancelled. */
export function assertEditable(d: Disruption): void {
  assertStatus(d, ['draft'], 'edited', 'only a draft can change; end it and create another.');
}

/** A draft or an active disruption is applied (again: anything still scheduled is cancelled). */
export function assertApplicable(d: Disruption): void {
  assertStatus(d, ['draft', 'active'], 'applied', 'it has ended.');
}

/**
 * Ends an active disruption on `on` (its last day, which must not precede its start). Returns
 * the end date to record. A draft is never ended (it never began), and an ended one stays ended.
 */
export function resolveEnd(d: Disruption, on: string): string {
  assertStatus(d, ['active'], 'ended', 'only an applied disruption ends.');
  if (on < d.startsOn) throw invalid('on', `the disruption starts on ${d.startsOn}`);
  return on;
}

const dayMs = 86_400_000;

/** Whole days from `from` to `to`, or null when there is no `from`. */
export function daysBetween(from: Date | null, to: Date): number | null {
  return from === null ? null : Math.max(0, Math.floor((to.getTime() - from.getTime()) / dayMs));
}

/** Adds `days` weekdays (Monday–Friday) to a date's calendar day; holidays are not counted yet. */
export function addWeekdays(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  let left = days;
  while (left > 0) {
    d.setUTCDate(d.getUTCDate() + 1);
    const weekday = d.getUTCDay();
    if (weekday !== 0 && weekday !== 6) left -= 1;
  }
  return d.toISOString().slice(0, 10);
}

export type DisplacedStandard = CareStandard | 'follow_up_10_business_days';

export interface DisplacedDeadline {
  standard: DisplacedStandard;
  /** The first instant that is too late. */
  dueBefore: Date;
}

/**
 * The deadline a displaced patient now has. The urgent and post-discharge standards come from
 * the risk tier (risk.domain.ts); everyone else is in a course of treatment, so the follow-up
 * standard applies: the next appointment within 10 business days of the last one (or of the
 * displacement, for a patient never seen). Business days here are weekdays.
 */
export function displacedDeadline(
  patient: RiskInput,
  lastCareAt: Date | null,
  now: Date,
  displacedAt: Date,
  timeZone: string,
): DisplacedDeadline {
  const tiered = careDeadline(patient, now, displacedAt, timeZone);
  if (tiered !== null) return tiered;
  const from = localDateOf(lastCareAt ?? displacedAt, timeZone);
  return {
    standard: 'follow_up_10_business_days',
    dueBefore: midnight(nextDay(addWeekdays(from, 10)), timeZone),
  };
}

/** What the impact is computed from: rows the repository reads. */
export interface ImpactInput {
  sessions: readonly { id: string; groupId: string; startsAt: Date; cancelled: boolean }[];
  groups: readonly { id: string; name: string; specialty: Specialty; serviceAreaId: string }[];
  patients: readonly (RiskInput & {
    id: string;
    mrn: string;
    name: string;
    serviceAreaId: string;
    lostGroupIds: readonly string[];
    lastCareAt: Date | null;
  })[];
  serviceAreas: ReadonlyMap<string, { code: string; name: string }>;
}

export interface DisplacedPatientImpact {
  patientId: string;
  mrn: string;
  name: string;
  serviceAreaId: string;
  tier: RiskTier;
  weight: number;
  /** The specialty of the care lost: the group whose sessions stop first. */
  need: Specialty;
  lostGroupIds: string[];
  lastCareAt: Date | null;
  /** Whole days since the last care, at the time of asking; null when never seen. */
  daysWithoutCare: number | null;
  deadline: DisplacedDeadline;
  overdue: boolean;
}

export interface Impact {
  window: { from: Date; until: Date | null };
  displacedAt: Date;
  sessions: {
    total: number;
    alreadyCancelled: number;
    toCancel: number;
    groups: {
      groupId: string;
      name: string;
      specialty: Specialty;
      serviceAreaId: string;
      sessions: { id: string; startsAt: Date; cancelled: boolean }[];
    }[];
  };
  /** Worst risk first (rankByRisk). */
  patients: DisplacedPatientImpact[];
  counts: {
    patients: number;
    byTier: Record<RiskTier, number>;
    bySpecialty: { specialty: Specialty; patients: number }[];
    byServiceArea: { serviceAreaId: string; code: string; name: string; patients: number }[];
  };
}

function tally<K>(keys: readonly K[]): Map<K, number> {
  const counts = new Map<K, number>();
  for (const key of keys) counts.set(key, (counts.get(key) ?? 0) + 1);
  return counts;
}

/** Most first, then by key: the same order every time. */
function byCountThenKey<K extends string>(counts: Map<K, number>): [K, number][] {
  return [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
}

/** The impact of a disruption at `now`, from what it cancels and who was enrolled there. */
export function impactOf(
  input: ImpactInput,
  window: { from: Date; until: Date | null },
  now: Date,
  displacedAt: Date,
  timeZone: string,
): Impact {
  const groupsById = new Map(input.groups.map((g) => [g.id, g]));
  const sessionsByGroup = new Map<string, { id: string; startsAt: Date; cancelled: boolean }[]>();
  for (const s of input.sessions) {
    const list = sessionsByGroup.get(s.groupId) ?? [];
    list.push({ id: s.id, startsAt: s.startsAt, cancelled: s.cancelled });
    sessionsByGroup.set(s.groupId, list);
  }
  const firstLoss = (groupId: string): number =>
    sessionsByGroup.get(groupId)?.[0]?.startsAt.getTime() ?? Number.POSITIVE_INFINITY;

  const ranked = rankByRisk(input.patients, now);
  const patients = ranked.flatMap(({ patient, tier, weight }): DisplacedPatientImpact[] => {
    const lost = [...patient.lostGroupIds].sort((a, b) => firstLoss(a) - firstLoss(b));
    const first = groupsById.get(lost[0] ?? '');
    if (!first) return [];
    const deadline = displacedDeadline(patient, patient.lastCareAt, now, displacedAt, timeZone);
    return [
      {
        patientId: patient.id,
        mrn: patient.mrn,
        name: patient.name,
        serviceAreaId: patient.serviceAreaId,
        tier,
        weight,
        need: first.specialty,
        lostGroupIds: lost,
        lastCareAt: patient.lastCareAt,
        daysWithoutCare: daysBetween(patient.lastCareAt, now),
        deadline,
        overdue: deadline.dueBefore <= now,
      },
    ];
  });

  const byTier = Object.fromEntries(riskTiers.map((t) => [t, 0])) as Record<RiskTier, number>;
  for (const p of patients) byTier[p.tier] += 1;
  const alreadyCancelled = input.sessions.filter((s) => s.cancelled).length;
  return {
    window,
    displacedAt,
    sessions: {
      total: input.sessions.length,
      alreadyCancelled,
      toCancel: input.sessions.length - alreadyCancelled,
      groups: input.groups.map((g) => ({
        groupId: g.id,
        name: g.name,
        specialty: g.specialty,
        serviceAreaId: g.serviceAreaId,
        sessions: sessionsByGroup.get(g.id) ?? [],
      })),
    },
    patients,
    counts: {
      patients: patients.length,
      byTier,
      bySpecialty: byCountThenKey(tally(patients.map((p) => p.need))).map(([specialty, count]) => ({
        specialty,
        patients: count,
      })),
      byServiceArea: byCountThenKey(tally(patients.map((p) => p.serviceAreaId))).map(
        ([serviceAreaId, count]) => ({
          serviceAreaId,
          code: input.serviceAreas.get(serviceAreaId)?.code ?? '',
          name: input.serviceAreas.get(serviceAreaId)?.name ?? '',
          patients: count,
        }),
      ),
    },
  };
}

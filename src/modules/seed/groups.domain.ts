import { sessionTimes } from '../groups/schedule.domain.ts';
import type { Accommodation, Specialty } from '../vocabulary/vocabulary.domain.ts';
import { specialties } from '../vocabulary/vocabulary.domain.ts';
import type { LocalCalendar } from './calendar.domain.ts';
import type { AreaPlan, GenerationContext } from './catalogue.domain.ts';
import type { Rng } from './prng.domain.ts';
import { streamOf } from './prng.domain.ts';
import type { ClinicianRow, GroupFacilitatorRow, TherapyGroupRow } from './rows.domain.ts';
import { sessionWindowWeeks } from './scale.domain.ts';
import { isScenarioArea, scenarioGroupSpecs, type GroupSpec } from './scenario.domain.ts';
import { groupSpecialtyShares, sortedAccommodations, specialtyLabels } from './shares.domain.ts';

export type SessionStatus = 'held' | 'cancelled' | 'scheduled';

/** A group's sessions in the window, column-wise (the region has ~150,000 of them). */
export interface SessionPlan {
  ids: string[];
  starts: number[];
  ends: number[];
  status: SessionStatus[];
  reasons: (string | null)[];
}

export type SlotStatus = 'active' | 'paused' | 'waitlisted' | 'ended';

/** One enrollment to be made, with the patient generated for it later. */
export interface SlotPlan {
  status: SlotStatus;
  startsDay: number;
  endsDay: number | null;
  endReason: string | null;
  /** Held sessions the patient is marked on (active enrollments only). */
  attendance: number;
}

export interface GroupPlan {
  areaIndex: number;
  row: TherapyGroupRow;
  facilitators: GroupFacilitatorRow[];
  sessions: SessionPlan;
  slots: SlotPlan[];
}

const weekdays = ['SU', 'MO', 'TU', 'WE', 'TH', 'FR', 'SA'] as const;

const cancelReasons = [
  'Facilitator illness',
  'Clinic closed for a holiday',
  'Facility maintenance',
  'Facilitator on leave; no cover available',
  'Room unavailable',
];

const endReasons = [
  'Completed the program',
  'Moved out of the service area',
  'Schedule conflict with work',
  'Stopped attending',
  'Transferred to individual therapy',
];

function randomSpec(rng: Rng, area: AreaPlan, specialty: Specialty, name: string): GroupSpec {
  const location = rng.weighted(area.locations.map((l, i) => [l, i === 0 ? 3 : 1] as const));
  const modality = rng.chance(0.25) ? 'virtual' : 'in_person';
  const kind = rng.chance(0.3) ? 'closed' : 'open';
  const capacity = rng.weighted([
    [6, 1],
    [7, 1],
    [8, 3],
    [9, 2],
    [10, 3],
    [11, 1],
    [12, 2],
  ] as const);
  const language = rng.chance(0.12) ? 'es' : 'en';
  const evening = rng.chance(0.25);
  const hour = evening ? rng.pick([17, 18, 19]) : rng.pick([9, 10, 11, 13, 14, 15, 16]);
  const accommodations = new Set<Accommodation>();
  const babyFriendlyCandidate =
    specialty === 'perinatal_mood_anxiety' || specialty === 'birth_trauma';
  if (babyFriendlyCandidate && modality === 'in_person' && rng.chance(0.7))
    accommodations.add('baby_friendly');
  if (language === 'en' && rng.chance(0.12)) accommodations.add('interpreter');
  if (hour >= 17) accommodations.add('evening');
  if (modality === 'in_person' && location.accessible) accommodations.add('wheelchair');
  const startsDay =
    kind === 'closed' ? -rng.int(7, 70) : rng.chance(0.85) ? -rng.int(183, 1095) : -rng.int(7, 182);
  const full = rng.chance(0.3);
  const active = full ? capacity : Math.round(capacity * rng.real(0.5, 0.95));
  return {
    name: language === 'es' ? `${name} (en español)` : name,
    specialty,
    modality,
    language,
    accommodations: [...accommodations],
    location,
    capacity,
    minSize: 5,
    kind,
    byDay: rng.pick(['MO', 'TU', 'WE', 'TH', 'FR']),
    hour,
    minute: rng.chance(0.3) ? 30 : 0,
    sessionMinutes:
      specialty === 'dbt_skills'
        ? 120
        : rng.weighted([
            [60, 3],
            [75, 1],
            [90, 6],
          ] as const),
    startsDay,
    // Closed groups run one 16-week cohort.
    endsDay: kind === 'closed' ? startsDay + 16 * 7 - 1 : null,
    seats: {
      active,
      paused: !full && active < capacity && rng.chance(0.1) ? 1 : 0,
      waitlisted: full ? rng.int(0, 4) : 0,
      ended: kind === 'open' ? rng.int(0, 4) : rng.int(0, 2),
    },
  };
}

/** The least-loaded clinician of a list (ties: same clinic first, then list order). */
function leastLoaded(
  list: readonly ClinicianRow[],
  load: Map<string, number>,
  locationId: string,
): ClinicianRow | undefined {
  let best: ClinicianRow | undefined;
  let bestScore = Infinity;
  for (const clinician of list) {
    const score =
      (load.get(clinician.id) ?? 0) * 2 + (clinician.location_id === locationId ? 0 : 1);
    if (score < bestScore) {
      best = clinician;
      bestScore = score;
    }
  }
  return best;
}

/**
 * One or two facilitators from the group's service area, matching its specialty where anyone
 * does; otherwise the least-loaded colleague with room for one more specialty takes it on.
 */
function facilitatorsFor(
  rng: Rng,
  spec: GroupSpec,
  groupId: string,
  area: AreaPlan,
  load: Map<string, number>,
): GroupFacilitatorRow[] {
  const active = area.clinicians.filter((c) => c.status === 'active');
  const matching = active.filter((c) => c.specialties.includes(spec.specialty));
  let lead = leastLoaded(matching, load, spec.location.id);
  if (!lead) {
    lead = leastLoaded(
      active.filter((c) => c.specialties.length < 3),
      load,
      spec.location.id,
    );
    lead?.specialties.push(spec.specialty);
  }
  lead ??= leastLoaded(active, load, spec.location.id);
  if (!lead) return [];
  load.set(lead.id, (load.get(lead.id) ?? 0) + 1);
  const rows: GroupFacilitatorRow[] = [{ group_id: groupId, clinician_id: lead.id, role: 'lead' }];
  if (rng.chance(spec.capacity >= 10 ? 0.5 : 0.3)) {
    const leadId = lead.id;
    const co = leastLoaded(
      matching.filter((c) => c.id !== leadId),
      load,
      spec.location.id,
    );
    if (co) {
      load.set(co.id, (load.get(co.id) ?? 0) + 1);
      rows.push({ group_id: groupId, clinician_id: co.id, role: 'co' });
    }
  }
  return rows;
}

function planSessions(
  rng: Rng,
  ctx: GenerationContext,
  row: TherapyGroupRow,
  timeZone: string,
): SessionPlan {
  const window = sessionWindowWeeks * 7 * 86_400_000;
  const now = ctx.now.getTime();
  const times = sessionTimes(
    {
      rrule: row.rrule,
      startsOn: row.starts_on,
      endsOn: row.ends_on,
      sessionMinutes: row.session_minutes,
    },
    new Date(now - window),
    new Date(now + window),
    timeZone,
  );
  const plan: SessionPlan = { ids: [], starts: [], ends: [], status: [], reasons: [] };
  for (const { startsAt, endsAt } of times) {
    const past = startsAt.getTime() < now;
    const cancelled = past && rng.chance(0.03);
    plan.ids.push(ctx.ids.next());
    plan.starts.push(startsAt.getTime());
    plan.ends.push(endsAt.getTime());
    plan.status.push(cancelled ? 'cancelled' : past ? 'held' : 'scheduled');
    plan.reasons.push(cancelled ? rng.pick(cancelReasons) : null);
  }
  return plan;
}

function heldSince(sessions: SessionPlan, from: number): number {
  let count = 0;
  for (let i = 0; i < sessions.ids.length; i++) {
    if (sessions.status[i] === 'held' && (sessions.starts[i] ?? 0) >= from) count += 1;
  }
  return count;
}

function planSlots(
  rng: Rng,
  spec: GroupSpec,
  startsDay: number,
  sessions: SessionPlan,
  calendar: LocalCalendar,
): SlotPlan[] {
  const slots: SlotPlan[] = [];
  const joinDay = () =>
    spec.kind === 'closed' ? startsDay : rng.int(Math.max(startsDay, -364), -1);
  const seated = (status: 'active' | 'paused') => {
    const day = joinDay();
    slots.push({
      status,
      startsDay: day,
      endsDay: null,
      endReason: null,
      attendance: status === 'active' ? heldSince(sessions, calendar.startOf(day).getTime()) : 0,
    });
  };
  for (let i = 0; i < spec.seats.active; i++) seated('active');
  for (let i = 0; i < spec.seats.paused; i++) seated('paused');
  for (let i = 0; i < spec.seats.waitlisted; i++) {
    const day = rng.int(Math.max(startsDay, -56), 0);
    slots.push({
      status: 'waitlisted',
      startsDay: day,
      endsDay: null,
      endReason: null,
      attendance: 0,
    });
  }
  for (let i = 0; i < spec.seats.ended; i++) {
    let from: number;
    let to: number;
    if (spec.kind === 'closed') {
      if (startsDay > -8) break;
      from = startsDay;
      to = rng.int(startsDay + 7, -1);
    } else {
      if (startsDay > -44) break;
      from = rng.int(Math.max(startsDay, -364), -30);
      to = rng.int(from + 14, Math.min(-1, from + 180));
    }
    slots.push({
      status: 'ended',
      startsDay: from,
      endsDay: to,
      endReason: rng.pick(endReasons),
      attendance: 0,
    });
  }
  return slots;
}

/**
 * The groups of every area, with their facilitators, their sessions 26 weeks either side of
 * `now`, and the enrollments they will hold. Every specialty has at least one group.
 */
export function buildGroups(
  ctx: GenerationContext,
  areas: readonly AreaPlan[],
  calendar: LocalCalendar,
): GroupPlan[] {
  const rng = streamOf(ctx.seed, 'groups');
  const fixed = areas.map((area) =>
    isScenarioArea(area.place) ? scenarioGroupSpecs(area.locations).slice(0, area.groupCount) : [],
  );
  const randomCount = areas.reduce(
    (sum, area, i) => sum + area.groupCount - (fixed[i]?.length ?? 0),
    0,
  );
  const drawn: Specialty[] = Array.from({ length: randomCount }, (_, i) =>
    i < specialties.length ? (specialties[i] as Specialty) : rng.weighted(groupSpecialtyShares),
  );
  rng.shuffle(drawn);

  const load = new Map<string, number>();
  const groups: GroupPlan[] = [];
  for (const area of areas) {
    const specs = [...(fixed[area.index] ?? [])];
    const numbers = new Map<Specialty, number>();
    while (specs.length < area.groupCount) {
      const specialty = drawn.pop() ?? 'depression';
      const n = (numbers.get(specialty) ?? 0) + 1;
      numbers.set(specialty, n);
      const name = `${area.place.clinicPrefix} ${specialtyLabels[specialty]} ${n}`;
      specs.push(randomSpec(rng, area, specialty, name));
    }
    for (const spec of specs) {
      let startsDay = spec.startsDay;
      const weekday = weekdays.indexOf(spec.byDay as (typeof weekdays)[number]);
      while (calendar.weekday(startsDay) !== weekday) startsDay += 1;
      const row: TherapyGroupRow = {
        id: ctx.ids.next(),
        name: spec.name,
        specialty: spec.specialty,
        modality: spec.modality,
        language: spec.language,
        accommodations: sortedAccommodations(new Set(spec.accommodations)),
        location_id: spec.location.id,
        capacity: spec.capacity,
        min_size: spec.minSize,
        kind: spec.kind,
        status: 'active',
        rrule: `FREQ=WEEKLY;BYDAY=${spec.byDay};BYHOUR=${spec.hour};BYMINUTE=${spec.minute}`,
        session_minutes: spec.sessionMinutes,
        starts_on: calendar.date(startsDay),
        ends_on: spec.endsDay === null ? null : calendar.date(spec.endsDay),
      };
      const facilitators = facilitatorsFor(rng, spec, row.id, area, load);
      const sessions = planSessions(rng, ctx, row, calendar.timeZone);
      const slots = planSlots(rng, spec, startsDay, sessions, calendar);
      groups.push({ areaIndex: area.index, row, facilitators, sessions, slots });
    }
  }
  return groups;
}

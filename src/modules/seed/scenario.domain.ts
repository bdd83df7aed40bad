import type { Accommodation, Specialty } from '../vocabulary/vocabulary.domain.ts';
import type { GenerationContext } from './catalogue.domain.ts';
import { pointNear, type Place } from './places.domain.ts';
import { createIdSource, streamOf } from './prng.domain.ts';
import type {
  ClinicianRow,
  DisruptionRow,
  GroupFacilitatorRow,
  LocationRow,
  OutsideProviderRow,
} from './rows.domain.ts';
import { drawNpi } from './shares.domain.ts';

/*
 * The DOMAIN.md situation, present in every generated region: in Woodland Hills, four
 * baby-friendly postpartum groups with about 60 mothers (enrolled or waiting), a general anxiety
 * group that is *not* a fit for them, and one PMH-C certified outside provider nearby with room.
 */

export const scenarioAreaCode = 'WOODLAND_HILLS';

export const scenarioNames = {
  postpartumGroups: [1, 2, 3, 4].map((n) => `Woodland Hills Postpartum Circle ${n}`),
  anxietyGroup: 'Woodland Hills General Anxiety Skills',
  providerOrganization: 'Valley Perinatal Therapy Collective',
} as const;

/**
 * The strike of DOMAIN.md, as a draft ready to simulate: every facilitator of the four postpartum
 * circles, from two days after `today` for four weeks. Its id comes from its own stream, so adding
 * it moved no other row's id.
 */
export function scenarioDisruption(
  seed: number,
  epochMs: number,
  today: string,
  groups: readonly { name: string; id: string }[],
  facilitators: readonly GroupFacilitatorRow[],
): DisruptionRow | null {
  const postpartum = new Set(
    groups
      .filter((g) => (scenarioNames.postpartumGroups as readonly string[]).includes(g.name))
      .map((g) => g.id),
  );
  const clinicianIds = [
    ...new Set(facilitators.filter((f) => postpartum.has(f.group_id)).map((f) => f.clinician_id)),
  ].sort();
  if (clinicianIds.length === 0) return null;
  const day = (offset: number) => {
    const d = new Date(`${today}T00:00:00Z`);
    d.setUTCDate(d.getUTCDate() + offset);
    return d.toISOString().slice(0, 10);
  };
  return {
    id: createIdSource(streamOf(seed, 'scenario-disruption'), epochMs).next(),
    kind: 'strike',
    title: 'Woodland Hills perinatal therapists strike',
    scope: { clinicianIds, locationIds: [], groupIds: [], serviceAreaIds: [] },
    starts_on: day(2),
    ends_on: day(29),
    status: 'draft',
  };
}

export function isScenarioArea(place: Place): boolean {
  return place.code === scenarioAreaCode;
}

/** The weekly meeting and seats of a group, before ids and sessions are drawn. */
export interface GroupSpec {
  name: string;
  specialty: Specialty;
  modality: 'in_person' | 'virtual';
  language: string;
  accommodations: Accommodation[];
  location: LocationRow;
  capacity: number;
  minSize: number;
  kind: 'open' | 'closed';
  byDay: string;
  hour: number;
  minute: number;
  sessionMinutes: number;
  /** Days relative to today (negative: in the past). */
  startsDay: number;
  endsDay: number | null;
  seats: { active: number; paused: number; waitlisted: number; ended: number };
}

/** Every postpartum circle is full (12) with three mothers waiting: 60 mothers in all. */
export function scenarioGroupSpecs(locations: readonly LocationRow[]): GroupSpec[] {
  const main = locations[0];
  if (!main) throw new Error('The scenario area has no location.');
  const postpartum = (
    n: number,
    byDay: string,
    hour: number,
    minute: number,
    extra: Accommodation[],
  ): GroupSpec => ({
    name: scenarioNames.postpartumGroups[n] ?? `Woodland Hills Postpartum Circle ${n + 1}`,
    specialty: 'perinatal_mood_anxiety',
    modality: 'in_person',
    language: 'en',
    accommodations: ['baby_friendly', ...extra, 'wheelchair'],
    location: main,
    capacity: 12,
    minSize: 5,
    kind: 'open',
    byDay,
    hour,
    minute,
    sessionMinutes: 90,
    startsDay: -700 - n * 35,
    endsDay: null,
    seats: { active: 12, paused: 0, waitlisted: 3, ended: 0 },
  });
  return [
    postpartum(0, 'MO', 10, 0, []),
    postpartum(1, 'WE', 10, 30, []),
    postpartum(2, 'TH', 13, 0, ['interpreter']),
    postpartum(3, 'TU', 17, 30, ['evening']),
    {
      name: scenarioNames.anxietyGroup,
      specialty: 'general_anxiety',
      modality: 'in_person',
      language: 'en',
      accommodations: ['wheelchair'],
      location: main,
      capacity: 10,
      minSize: 5,
      kind: 'open',
      byDay: 'FR',
      hour: 10,
      minute: 0,
      sessionMinutes: 90,
      startsDay: -500,
      endsDay: null,
      seats: { active: 6, paused: 0, waitlisted: 0, ended: 1 },
    },
  ];
}

/**
 * The first three clinicians of the scenario area are perinatal therapists at its main clinic
 * (two PMH-C certified), so that the postpartum circles have their own facilitators to lose.
 */
export function scenarioClinician(
  clinician: ClinicianRow,
  index: number,
  locations: readonly LocationRow[],
): ClinicianRow {
  if (index >= 3) return clinician;
  const main = locations[0];
  return {
    ...clinician,
    discipline: (['lcsw', 'lmft', 'psychologist'] as const)[index] ?? 'lcsw',
    specialties:
      index === 2
        ? ['perinatal_mood_anxiety', 'general_anxiety']
        : ['perinatal_mood_anxiety', 'birth_trauma'],
    certifications: index < 2 ? ['pmh_c'] : [],
    location_id: main?.id ?? clinician.location_id,
    status: 'active',
  };
}

/** A PMH-C perinatal therapist a few kilometres from Woodland Hills, accepting, with open weekly capacity. */
export function scenarioProvider(
  ctx: GenerationContext,
  place: Place,
  npis: Set<string>,
): OutsideProviderRow {
  const rng = streamOf(ctx.seed, 'scenario-provider');
  const point = pointNear(rng, place, 6, 2);
  return {
    id: ctx.ids.next(),
    name: 'Renata Okafor-Lindqvist, LMFT, PMH-C',
    organization: scenarioNames.providerOrganization,
    npi: drawNpi(rng, npis),
    specialties: ['perinatal_mood_anxiety', 'birth_trauma'],
    languages: ['en', 'es'],
    certifications: ['pmh_c'],
    modality: 'both',
    lat: point.lat,
    lon: point.lon,
    accommodations: ['baby_friendly', 'evening', 'wheelchair'],
    weekly_capacity: 10,
    accepting: true,
    capacity_confirmed_at: new Date(ctx.now.getTime() - 3 * 86_400_000),
  };
}

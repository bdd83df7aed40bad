import type { Accommodation, Discipline } from '../vocabulary/vocabulary.domain.ts';
import { personName } from './names.domain.ts';
import { pointNear, type Place } from './places.domain.ts';
import type { Rng } from './prng.domain.ts';
import { streamOf } from './prng.domain.ts';
import type {
  ClinicianRow,
  LocationRow,
  OutsideProviderRow,
  ServiceAreaRow,
} from './rows.domain.ts';
import { apportion, type ScaleParameters } from './scale.domain.ts';
import { scenarioClinician, scenarioProvider, isScenarioArea } from './scenario.domain.ts';
import {
  certificationsFor,
  credentialOf,
  disciplineShares,
  drawNpi,
  perinatalSpecialties,
  providerDisciplineShares,
  sortedAccommodations,
  specialtiesFor,
  staffLanguages,
} from './shares.domain.ts';

/** What every part of the generator shares: the seed, the instant, the calendar and the ids. */
export interface GenerationContext {
  seed: number;
  now: Date;
  ids: { next(): string };
}

/** One service area and the catalogue rows that belong to it. */
export interface AreaPlan {
  index: number;
  place: Place;
  row: ServiceAreaRow;
  locations: LocationRow[];
  clinicians: ClinicianRow[];
  providers: OutsideProviderRow[];
  groupCount: number;
  patientCount: number;
}

const locationKinds = [
  'Behavioral Health Center',
  'Medical Offices',
  'Mental Health Clinic',
  'Wellness Center',
] as const;

/** Large areas have more clinics: one to four. */
function locationCount(members: number): number {
  if (members >= 450_000) return 4;
  if (members >= 300_000) return 3;
  if (members >= 150_000) return 2;
  return 1;
}

function buildLocations(rng: Rng, ctx: GenerationContext, place: Place, areaId: string) {
  const streets = rng.shuffle([...place.streets]);
  return Array.from({ length: locationCount(place.members) }, (_, i): LocationRow => {
    const entry = streets[i % streets.length];
    if (!entry) throw new Error(`${place.code} has no streets`);
    const [street, city, zip] = entry;
    const point = pointNear(rng, place, 4);
    return {
      id: ctx.ids.next(),
      service_area_id: areaId,
      name: `${place.clinicPrefix} ${locationKinds[i] ?? 'Clinic'}`,
      address: `${rng.int(2, 220) * 50 + rng.int(0, 9)} ${street}, ${city}, CA ${zip}`,
      lat: point.lat,
      lon: point.lon,
      // The main clinic is always accessible; most others are.
      accessible: i === 0 || rng.chance(0.8),
    };
  });
}

function fteOf(rng: Rng): number {
  return rng.weighted([
    [1, 78],
    [0.9, 4],
    [0.8, 8],
    [0.6, 5],
    [0.5, 5],
  ] as const);
}

function buildClinician(
  rng: Rng,
  ctx: GenerationContext,
  locations: readonly LocationRow[],
  npis: Set<string>,
): ClinicianRow {
  const discipline: Discipline = rng.weighted(disciplineShares);
  const specialties = specialtiesFor(rng, discipline);
  const languages = staffLanguages(rng);
  const location = rng.weighted(locations.map((l, i) => [l, i === 0 ? 3 : 1] as const));
  return {
    id: ctx.ids.next(),
    npi: drawNpi(rng, npis),
    name: personName(rng, { female: rng.chance(0.7), language: languages[1] ?? 'en' }),
    discipline,
    specialties,
    languages,
    certifications: certificationsFor(rng, discipline, specialties),
    location_id: location.id,
    fte: fteOf(rng),
    status: rng.chance(0.02) ? 'leave' : 'active',
  };
}

const orgCores = [
  'Counseling',
  'Family Therapy',
  'Behavioral Health',
  'Wellness',
  'Psychological Services',
];
const orgSuffixes = ['Group', 'Associates', 'Center', 'Collective', 'Partners'];

function buildProvider(
  rng: Rng,
  ctx: GenerationContext,
  place: Place,
  npis: Set<string>,
): OutsideProviderRow {
  const discipline: Discipline = rng.weighted(providerDisciplineShares);
  const specialties = specialtiesFor(rng, discipline);
  if (rng.chance(0.08) && !specialties.some((s) => perinatalSpecialties.has(s)))
    specialties.push('perinatal_mood_anxiety');
  const perinatal = specialties.some((s) => perinatalSpecialties.has(s));
  const languages = staffLanguages(rng);
  const modality = rng.weighted([
    ['in_person', 35],
    ['virtual', 20],
    ['both', 45],
  ] as const);
  const accommodations = new Set<Accommodation>();
  if (perinatal && modality !== 'virtual' && rng.chance(0.5)) accommodations.add('baby_friendly');
  if (rng.chance(0.1)) accommodations.add('interpreter');
  if (rng.chance(0.35)) accommodations.add('evening');
  if (modality !== 'virtual' && rng.chance(0.75)) accommodations.add('wheelchair');
  const accepting = rng.chance(0.75);
  const point = pointNear(rng, place, 20, 1);
  const confirmedDaysAgo = rng.weighted([
    [rng.real(0, 60), 80],
    [rng.real(61, 240), 10],
    [-1, 10],
  ] as const);
  const core = perinatal && rng.chance(0.5) ? 'Perinatal Therapy' : rng.pick(orgCores);
  return {
    id: ctx.ids.next(),
    name: `${personName(rng, { female: rng.chance(0.72), language: languages[1] ?? 'en' })}, ${credentialOf[discipline]}`,
    organization: rng.chance(0.65) ? `${place.regionWord} ${core} ${rng.pick(orgSuffixes)}` : null,
    npi: rng.chance(0.9) ? drawNpi(rng, npis) : null,
    specialties,
    languages,
    certifications: certificationsFor(rng, discipline, specialties),
    modality,
    lat: point.lat,
    lon: point.lon,
    accommodations: sortedAccommodations(accommodations),
    weekly_capacity: accepting ? rng.int(1, 15) : rng.chance(0.6) ? 0 : rng.int(1, 5),
    accepting,
    capacity_confirmed_at:
      confirmedDaysAgo < 0
        ? null
        : new Date(ctx.now.getTime() - Math.round(confirmedDaysAgo * 86_400_000)),
  };
}

/**
 * The service areas with their clinics, clinicians and outside providers. Counts are split over
 * the areas by members; Woodland Hills always carries the DOMAIN.md scenario's perinatal staff and
 * provider.
 */
export function buildAreas(
  ctx: GenerationContext,
  params: ScaleParameters,
  placeList: readonly Place[],
): AreaPlan[] {
  const chosen = params.areas.map((code) => {
    const place = placeList.find((p) => p.code === code);
    if (!place) throw new Error(`Unknown place ${code}`);
    return place;
  });
  const members = chosen.map((place) => Math.round(place.members * params.memberFactor));
  const clinicians = apportion(params.clinicians, members);
  const groups = apportion(params.groups, members);
  const patients = apportion(params.patients, members);
  const providers = apportion(params.outsideProviders, members);
  const npis = new Set<string>();

  const areas = chosen.map((place, index): AreaPlan => ({
    index,
    place,
    row: {
      id: ctx.ids.next(),
      code: place.code,
      name: place.name,
      lat: place.lat,
      lon: place.lon,
      members: members[index] ?? 0,
    },
    locations: [],
    clinicians: [],
    providers: [],
    groupCount: groups[index] ?? 0,
    patientCount: patients[index] ?? 0,
  }));

  const locationRng = streamOf(ctx.seed, 'locations');
  for (const area of areas)
    area.locations = buildLocations(locationRng, ctx, area.place, area.row.id);

  const clinicianRng = streamOf(ctx.seed, 'clinicians');
  for (const area of areas) {
    const count = clinicians[area.index] ?? 0;
    for (let i = 0; i < count; i++) {
      const clinician = buildClinician(clinicianRng, ctx, area.locations, npis);
      area.clinicians.push(
        isScenarioArea(area.place) ? scenarioClinician(clinician, i, area.locations) : clinician,
      );
    }
  }

  const providerRng = streamOf(ctx.seed, 'providers');
  for (const area of areas) {
    const count = providers[area.index] ?? 0;
    for (let i = 0; i < count; i++) {
      area.providers.push(
        i === 0 && isScenarioArea(area.place)
          ? scenarioProvider(ctx, area.place, npis)
          : buildProvider(providerRng, ctx, area.place, npis),
      );
    }
  }
  return areas;
}

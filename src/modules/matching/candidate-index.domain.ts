import { specialties, type Specialty } from '../vocabulary/vocabulary.domain.ts';
import { haversineKm, type CandidateParams } from './candidate-params.domain.ts';
import type {
  AppointmentTarget,
  CandidateTargets,
  GroupSeatTarget,
  OutsideProviderTarget,
} from './candidate-targets.domain.ts';
import { perinatalSpecialties } from './equivalence.domain.ts';

/**
 * A region has thousands of targets and thousands of displaced patients; judging every pair would
 * take minutes. The index hands each patient only the targets that could pass the two cheapest
 * hard constraints, specialty (equivalence at or above the floor, or PMH-C for a perinatal need)
 * and distance (within reach, or able to meet by video), and that have room; plus, per kind, the
 * nearest target dropped for distance and the nearest dropped for having no room, so that a patient
 * left with nothing is told why ("no open … seat within 40 km"). What the index drops would have
 * been rejected by `candidatesFor` anyway.
 */

type AnyTarget = GroupSeatTarget | OutsideProviderTarget | AppointmentTarget;
type Kind = keyof CandidateTargets;

interface Entry {
  kind: Kind;
  target: AnyTarget;
  /** Can meet by video, so distance never rules it out. */
  virtual: boolean;
  /** Has no room for anyone (no open seat, not accepting, no free slot). */
  full: boolean;
}

export interface TargetIndex {
  /** Targets by the specialties they offer; PMH-C clinicians also under 'pmh_c'. */
  bySpecialty: Map<Specialty | 'pmh_c', Entry[]>;
  params: CandidateParams;
}

export function indexTargets(targets: CandidateTargets, params: CandidateParams): TargetIndex {
  const bySpecialty = new Map<Specialty | 'pmh_c', Entry[]>();
  const add = (key: Specialty | 'pmh_c', entry: Entry) => {
    const list = bySpecialty.get(key) ?? [];
    list.push(entry);
    bySpecialty.set(key, list);
  };
  for (const target of targets.groupSeats)
    add(target.specialty, {
      kind: 'groupSeats',
      target,
      virtual: target.modality === 'virtual',
      full: target.openSeats <= 0,
    });
  const people: [Kind, readonly (OutsideProviderTarget | AppointmentTarget)[]][] = [
    ['outsideProviders', targets.outsideProviders],
    ['appointments', targets.appointments],
  ];
  for (const [kind, list] of people)
    for (const target of list) {
      const full =
        'slots' in target
          ? target.slots.length === 0
          : !target.accepting || target.weeklyCapacity <= 0;
      const entry = { kind, target, virtual: target.modality !== 'in_person', full };
      for (const s of new Set(target.specialties)) add(s, entry);
      if (target.certifications.includes('pmh_c')) add('pmh_c', entry);
    }
  return { bySpecialty, params };
}

/** The targets worth judging for a patient who needs `need` and lives at `home`. */
export function targetsFor(
  index: TargetIndex,
  need: Specialty,
  home: { lat: number; lon: number },
): CandidateTargets {
  const { params } = index;
  const keys: (Specialty | 'pmh_c')[] = specialties.filter(
    (s) => params.matrix[need][s].score >= params.equivalenceFloor,
  );
  if (perinatalSpecialties.includes(need)) keys.push('pmh_c');
  const seen = new Set<AnyTarget>();
  const kept: Record<Kind, AnyTarget[]> = {
    groupSeats: [],
    outsideProviders: [],
    appointments: [],
  };
  const nearestFar = new Map<Kind, { target: AnyTarget; km: number }>();
  const nearestFull = new Map<Kind, { target: AnyTarget; km: number }>();
  for (const key of keys)
    for (const entry of index.bySpecialty.get(key) ?? []) {
      if (seen.has(entry.target)) continue;
      seen.add(entry.target);
      if (entry.full) {
        const km = haversineKm(home, entry.target);
        if (km < (nearestFull.get(entry.kind)?.km ?? Number.POSITIVE_INFINITY))
          nearestFull.set(entry.kind, { target: entry.target, km });
        continue;
      }
      if (entry.virtual) {
        kept[entry.kind].push(entry.target);
        continue;
      }
      const km = haversineKm(home, entry.target);
      if (km <= params.maxTravelKm) kept[entry.kind].push(entry.target);
      else if (km < (nearestFar.get(entry.kind)?.km ?? Number.POSITIVE_INFINITY))
        nearestFar.set(entry.kind, { target: entry.target, km });
    }
  for (const [kind, far] of nearestFar) kept[kind].push(far.target);
  for (const [kind, full] of nearestFull) kept[kind].push(full.target);
  return {
    groupSeats: kept.groupSeats as GroupSeatTarget[],
    outsideProviders: kept.outsideProviders as OutsideProviderTarget[],
    appointments: kept.appointments as AppointmentTarget[],
  };
}

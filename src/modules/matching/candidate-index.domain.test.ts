import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  accommodations,
  certifications,
  groupModalities,
  needs,
  providerModalities,
  specialties,
  type Specialty,
} from '../vocabulary/vocabulary.domain.ts';
import { risks } from '../patients/patients.domain.ts';
import { indexTargets, targetsFor } from './candidate-index.domain.ts';
import { resolveParams, type CandidateParamsInput } from './candidate-params.domain.ts';
import {
  needOf,
  type CandidateTargets,
  type DisplacedPatient,
} from './candidate-targets.domain.ts';
import { candidatesFor } from './candidates.domain.ts';
import {
  buildAppointmentTarget,
  buildDisplacedPatient,
  buildGroupSeatTarget,
  buildOutsideProviderTarget,
  home,
  north,
  now,
  span,
  targets,
} from '../../test/matching-fixtures.ts';

/** The targets the index hands a patient, under the default parameters. */
function prefiltered(all: CandidateTargets, patient: DisplacedPatient): CandidateTargets {
  const need = needOf(patient);
  if (need === null) throw new Error('the patient needs a specialty');
  return targetsFor(indexTargets(all, resolveParams()), need, patient);
}

const idsOf = (given: CandidateTargets) => ({
  groupSeats: given.groupSeats.map((t) => t.id).sort(),
  outsideProviders: given.outsideProviders.map((t) => t.id).sort(),
  appointments: given.appointments.map((t) => t.id).sort(),
});

describe('targetsFor: distance', () => {
  it('keeps virtual targets at any distance', () => {
    const all = targets({
      groupSeats: [buildGroupSeatTarget({ id: 'g-virtual', modality: 'virtual', ...north(300) })],
      outsideProviders: [
        buildOutsideProviderTarget({ id: 'op-virtual', modality: 'virtual', ...north(300) }),
        buildOutsideProviderTarget({ id: 'op-both', modality: 'both', ...north(250) }),
      ],
      appointments: [buildAppointmentTarget({ id: 'c-both', modality: 'both', ...north(300) })],
    });
    expect(idsOf(prefiltered(all, buildDisplacedPatient()))).toEqual({
      groupSeats: ['g-virtual'],
      outsideProviders: ['op-both', 'op-virtual'],
      appointments: ['c-both'],
    });
  });

  it('drops in-person targets beyond reach except the nearest of each kind', () => {
    const all = targets({
      groupSeats: [
        buildGroupSeatTarget({ id: 'g-near', ...north(5) }),
        buildGroupSeatTarget({ id: 'g-70', ...north(70) }),
        buildGroupSeatTarget({ id: 'g-50', ...north(50) }),
        buildGroupSeatTarget({ id: 'g-virtual-90', modality: 'virtual', ...north(90) }),
      ],
      outsideProviders: [
        buildOutsideProviderTarget({ id: 'op-60', ...north(60) }),
        buildOutsideProviderTarget({ id: 'op-45', ...north(45) }),
      ],
      appointments: [buildAppointmentTarget({ id: 'c-39', ...north(39) })],
    });
    expect(idsOf(prefiltered(all, buildDisplacedPatient()))).toEqual({
      groupSeats: ['g-50', 'g-near', 'g-virtual-90'],
      outsideProviders: ['op-45'],
      appointments: ['c-39'],
    });
  });

  it('honours the maxTravelKm it was indexed with', () => {
    const all = targets({
      groupSeats: [
        buildGroupSeatTarget({ id: 'g-30', ...north(30) }),
        buildGroupSeatTarget({ id: 'g-20', ...north(20) }),
        buildGroupSeatTarget({ id: 'g-10', ...north(10) }),
      ],
    });
    const index = indexTargets(all, resolveParams({ maxTravelKm: 15 }));
    // g-20 is the nearest target beyond 15 km; g-30 is dropped.
    expect(idsOf(targetsFor(index, 'perinatal_mood_anxiety', home)).groupSeats).toEqual([
      'g-10',
      'g-20',
    ]);
  });

  it('keeps the nearest far target so the reason says nothing is within 40 km', () => {
    const patient = buildDisplacedPatient();
    const all = targets({
      groupSeats: [
        buildGroupSeatTarget({ id: 'g-80', ...north(80) }),
        buildGroupSeatTarget({ id: 'g-60', ...north(60) }),
      ],
      outsideProviders: [buildOutsideProviderTarget({ id: 'op-90', ...north(90) })],
    });
    const result = candidatesFor(patient, prefiltered(all, patient), now);
    expect(result.options).toEqual([]);
    expect(result.rejections.map((r) => r.targetId)).toEqual(['g-60', 'op-90']);
    expect(result.kindReasons).toEqual({
      group_seat: 'no perinatal seat within 40 km',
      outside_provider: 'no perinatal or PMH-C provider within 40 km',
      individual_appointment: 'no in-network clinician with time on offer',
    });
  });
});

describe('targetsFor: specialty', () => {
  it('keeps targets at or above the equivalence floor and drops the rest', () => {
    const all = targets({
      groupSeats: [
        buildGroupSeatTarget({ id: 'g-perinatal' }),
        buildGroupSeatTarget({ id: 'g-depression', specialty: 'depression' }), // 0.6
        buildGroupSeatTarget({ id: 'g-psychosis-risk', specialty: 'perinatal_psychosis_risk' }), // 0.5
        buildGroupSeatTarget({ id: 'g-anxiety', specialty: 'general_anxiety' }), // 0.2
        buildGroupSeatTarget({ id: 'g-substance', specialty: 'substance_use' }), // unrelated
      ],
      outsideProviders: [
        buildOutsideProviderTarget({ id: 'op-ocd-grief', specialties: ['ocd', 'grief'] }), // 0.2 at best
        buildOutsideProviderTarget({ id: 'op-mixed', specialties: ['ocd', 'birth_trauma'] }), // 0.7
        buildOutsideProviderTarget({ id: 'op-none', specialties: [] }),
      ],
    });
    expect(idsOf(prefiltered(all, buildDisplacedPatient()))).toEqual({
      groupSeats: ['g-depression', 'g-perinatal', 'g-psychosis-risk'],
      outsideProviders: ['op-mixed'],
      appointments: [],
    });
  });

  it('offers a PMH-C clinician with an unrelated specialty to a perinatal need', () => {
    const patient = buildDisplacedPatient();
    const all = targets({
      outsideProviders: [
        buildOutsideProviderTarget({
          id: 'op-pmhc',
          specialties: ['substance_use'],
          certifications: ['pmh_c'],
        }),
      ],
      appointments: [
        buildAppointmentTarget({
          id: 'c-pmhc',
          specialties: ['substance_use'],
          certifications: ['pmh_c'],
        }),
      ],
    });
    const result = candidatesFor(patient, prefiltered(all, patient), now);
    expect(result.options.map((o) => [o.id, o.equivalence.via])).toEqual([
      ['individual_appointment:c-pmhc', 'pmh_c'],
      ['outside_provider:op-pmhc', 'pmh_c'],
    ]);
  });

  it('does not offer that PMH-C clinician to a need outside the perinatal ones', () => {
    const all = targets({
      outsideProviders: [
        buildOutsideProviderTarget({
          id: 'op-pmhc',
          specialties: ['substance_use'],
          certifications: ['pmh_c'],
        }),
      ],
    });
    const patient = buildDisplacedPatient({
      perinatal: false,
      conditions: ['depression'],
      lostGroup: { id: 'g-lost', specialty: 'depression' },
    });
    expect(prefiltered(all, patient).outsideProviders).toEqual([]);
  });

  it('does not judge a group by its facilitator: groups have no PMH-C key', () => {
    const index = indexTargets(
      targets({ groupSeats: [buildGroupSeatTarget({ specialty: 'substance_use' })] }),
      resolveParams(),
    );
    expect(index.bySpecialty.get('pmh_c')).toBeUndefined();
  });

  it('hands a clinician listed under several matching keys over once', () => {
    const patient = buildDisplacedPatient();
    const clinician = buildAppointmentTarget({
      id: 'c-many',
      specialties: ['perinatal_mood_anxiety', 'birth_trauma', 'depression', 'depression'],
      certifications: ['pmh_c'],
    });
    const given = prefiltered(targets({ appointments: [clinician] }), patient);
    expect(given.appointments).toEqual([clinician]);
    expect(candidatesFor(patient, given, now).options.map((o) => o.id)).toEqual([
      'individual_appointment:c-many',
    ]);
  });
});

// --- The promise: prefiltering never changes the candidates. ---

const languages = ['en', 'es'] as const;
const someSpecialty = fc.constantFrom(...specialties);
/** Specialties with many clinically meaningful neighbours, so that matches are common. */
const nearSpecialty = fc.constantFrom<Specialty>(
  'perinatal_mood_anxiety',
  'perinatal_psychosis_risk',
  'birth_trauma',
  'depression',
  'ptsd',
  'general_anxiety',
  'bipolar',
);
const specialtyArb = fc.oneof(nearSpecialty, someSpecialty);
const latArb = fc.double({ min: 33.8, max: 34.4, noNaN: true });
const lonArb = fc.double({ min: -118.8, max: -118.0, noNaN: true });
const timeTable = [
  span('2025-03-04T17:00:00.000Z', 60),
  span('2025-03-05T18:00:00.000Z', 90),
  span('2025-03-10T16:00:00.000Z', 60),
  span('2025-03-12T20:00:00.000Z', 60),
];
const spansArb = fc.subarray(timeTable);
const clinicianIds = ['c-1', 'c-2', 'c-3', 'c-4'];

const groupArb = fc.record({
  specialty: specialtyArb,
  language: fc.constantFrom(...languages),
  accommodations: fc.subarray([...accommodations]),
  modality: fc.constantFrom(...groupModalities),
  lat: latArb,
  lon: lonArb,
  openSeats: fc.integer({ min: 0, max: 3 }),
  sessions: spansArb,
  facilitatorIds: fc.subarray(clinicianIds, { maxLength: 2 }),
});

const personFields = {
  specialties: fc.array(specialtyArb, { maxLength: 3 }),
  certifications: fc.subarray([...certifications]),
  languages: fc.subarray([...languages]),
  modality: fc.constantFrom(...providerModalities),
  lat: latArb,
  lon: lonArb,
  accommodations: fc.subarray([...accommodations]),
};

const providerArb = fc.record({
  ...personFields,
  weeklyCapacity: fc.integer({ min: 0, max: 3 }),
  accepting: fc.boolean(),
  firstAppointmentAt: fc.option(fc.constantFrom(...timeTable.map((s) => s.startsAt))),
});

const appointmentArb = fc.record({ ...personFields, slots: spansArb });

const targetsArb: fc.Arbitrary<CandidateTargets> = fc
  .record({
    groups: fc.array(groupArb, { maxLength: 10 }),
    providers: fc.array(providerArb, { maxLength: 10 }),
    appointments: fc.array(appointmentArb, { maxLength: 10 }),
  })
  .map(({ groups, providers, appointments }) => ({
    groupSeats: groups.map((g, i) => ({ ...g, id: `g-${i}` })),
    outsideProviders: providers.map((p, i) => ({ ...p, id: `op-${i}` })),
    // In-network clinicians share ids with facilitators and own clinicians.
    appointments: appointments.map((a, i) => ({ ...a, id: `c-${i}` })),
  }));

const patientArb: fc.Arbitrary<DisplacedPatient> = fc.record({
  id: fc.constant('p-1'),
  language: fc.constantFrom(...languages),
  lat: latArb,
  lon: lonArb,
  needs: fc.subarray([...needs]),
  conditions: fc.array(specialtyArb, { minLength: 1, maxLength: 3 }),
  risk: fc.constantFrom(...risks),
  perinatal: fc.boolean(),
  dischargedAt: fc.constant(null),
  lostGroup: fc.option(
    fc.record({ id: fc.constantFrom('g-0', 'g-1', 'g-lost'), specialty: specialtyArb }),
  ),
  ownClinicianIds: fc.subarray(clinicianIds, { maxLength: 2 }),
  busy: fc.subarray(timeTable, { maxLength: 2 }),
});

const paramsArb: fc.Arbitrary<CandidateParamsInput> = fc.record({
  maxTravelKm: fc.constantFrom(15, 40, 60),
  equivalenceFloor: fc.constantFrom(0.3, 0.5, 0.6),
});

describe('the index never changes the candidates', () => {
  it('gives the same options (ids, costs, order) as judging every target', () => {
    let withOptions = 0;
    let withDropped = 0;
    fc.assert(
      fc.property(patientArb, targetsArb, paramsArb, (patient, all, input) => {
        const need = needOf(patient);
        if (need === null) throw new Error('conditions are never empty');
        const params = resolveParams(input);
        const given = targetsFor(indexTargets(all, params), need, patient);
        const whole = candidatesFor(patient, all, now, params);
        const fast = candidatesFor(patient, given, now, params);
        expect(fast.options).toEqual(whole.options);

        // The index hands over input targets, never more than there were.
        const kinds = ['groupSeats', 'outsideProviders', 'appointments'] as const;
        for (const kind of kinds) {
          const from: readonly object[] = all[kind];
          const handed: readonly object[] = given[kind];
          expect(handed.every((t) => from.includes(t))).toBe(true);
          expect(new Set(handed).size).toBe(handed.length);
        }
        if (whole.options.length > 0) withOptions += 1;
        const total = (t: CandidateTargets) =>
          t.groupSeats.length + t.outsideProviders.length + t.appointments.length;
        if (total(given) < total(all)) withDropped += 1;
      }),
      { numRuns: 400 },
    );
    // The property is not vacuous: many runs had candidates, and many had targets dropped.
    expect(withOptions).toBeGreaterThan(40);
    expect(withDropped).toBeGreaterThan(40);
  });
});

import { describe, expect, it } from 'vitest';
import { costTerms } from './candidate-costs.domain.ts';
import { hardConstraints } from './candidate-reasons.domain.ts';
import type { GroupSeatTarget, OutsideProviderTarget } from './candidate-targets.domain.ts';
import { candidatesFor, cohortCandidates, type PatientCandidates } from './candidates.domain.ts';
import {
  buildAppointmentTarget,
  buildDisplacedPatient,
  buildGroupSeatTarget,
  buildOutsideProviderTarget,
  north,
  now,
  targets,
  wednesday,
} from '../../test/matching-fixtures.ts';

/** A postpartum mother who attends with her infant. */
const mother = buildDisplacedPatient({ needs: ['baby_friendly'] });

/** The groups here welcome infants unless a case says otherwise, so the mother can attend. */
const buildBabyFriendlyGroup = (overrides: Partial<GroupSeatTarget> = {}) =>
  buildGroupSeatTarget({ accommodations: ['baby_friendly'], ...overrides });

/**
 * A baby-friendly provider who lists only general anxiety but holds PMH-C, so it passes for a
 * perinatal need on its certification alone.
 */
const buildPmhcProvider = (overrides: Partial<OutsideProviderTarget> = {}) =>
  buildOutsideProviderTarget({
    specialties: ['general_anxiety'],
    certifications: ['pmh_c'],
    accommodations: ['baby_friendly'],
    ...overrides,
  });

const optionIds = (result: PatientCandidates) => result.options.map((option) => option.id);
const rejectionOf = (result: PatientCandidates, targetId: string) =>
  result.rejections.find((rejection) => rejection.targetId === targetId)?.failed ?? [];

describe('a postpartum mother who attends with her infant', () => {
  const anxietyGroup = buildBabyFriendlyGroup({
    id: 'g-anxiety',
    specialty: 'general_anxiety',
    accommodations: [],
    openSeats: 8,
    ...north(1),
  });
  const babyFriendlyAnxiety = buildBabyFriendlyGroup({
    id: 'g-anxiety-bf',
    specialty: 'general_anxiety',
  });
  const perinatal = buildBabyFriendlyGroup({ id: 'g-perinatal' });
  const result = candidatesFor(
    mother,
    targets({
      groupSeats: [anxietyGroup, babyFriendlyAnxiety, perinatal],
      outsideProviders: [buildPmhcProvider()],
    }),
    now,
  );

  it('never gets the general anxiety group, however near and open', () => {
    expect(optionIds(result)).not.toContain('group_seat:g-anxiety');
    expect(rejectionOf(result, 'g-anxiety').map((failure) => failure.constraint)).toEqual([
      'specialty',
      'accommodations',
    ]);
  });

  it('is not offered a general anxiety group even when it is baby-friendly', () => {
    expect(rejectionOf(result, 'g-anxiety-bf')).toEqual([
      {
        constraint: 'specialty',
        detail: expect.stringMatching(
          /^general_anxiety scores 0\.20 for perinatal_mood_anxiety, below the 0\.50 floor: general anxiety groups do not address postpartum mood/,
        ) as unknown,
        missing: undefined,
      },
    ]);
  });

  it('gets the baby-friendly perinatal group and the PMH-C provider, cheapest first', () => {
    expect(optionIds(result)).toEqual(['group_seat:g-perinatal', 'outside_provider:op-1']);
  });

  it('passes the PMH-C provider on its certification, whatever its listed specialty', () => {
    const provider = result.options.find((option) => option.kind === 'outside_provider');
    expect(provider?.equivalence).toMatchObject({ score: 0.95, via: 'pmh_c' });
    expect(provider?.passed[0]).toMatch(
      /^specialty: PMH-C scores 0\.95 for perinatal_mood_anxiety/,
    );
  });

  it('does not pass a provider without PMH-C that lists only general anxiety', () => {
    const plain = candidatesFor(
      mother,
      targets({ outsideProviders: [buildPmhcProvider({ certifications: [] })] }),
      now,
    );
    expect(plain.options).toEqual([]);
    expect(rejectionOf(plain, 'op-1').map((failure) => failure.constraint)).toEqual(['specialty']);
  });
});

describe('modality', () => {
  const inPerson = buildBabyFriendlyGroup({ id: 'g-in-person' });
  const virtual = buildBabyFriendlyGroup({ id: 'g-virtual', modality: 'virtual', ...north(300) });
  const both = buildPmhcProvider({ id: 'op-both', modality: 'both', ...north(300) });
  const all = targets({ groupSeats: [inPerson, virtual], outsideProviders: [both] });

  it('gives a telehealth-only patient virtual care only, at any distance', () => {
    const result = candidatesFor(buildDisplacedPatient({ needs: ['telehealth_only'] }), all, now);
    expect(optionIds(result)).toEqual(['group_seat:g-virtual', 'outside_provider:op-both']);
    expect(result.options.map((option) => option.mode)).toEqual(['virtual', 'virtual']);
    expect(rejectionOf(result, 'g-in-person')).toEqual([
      {
        constraint: 'modality',
        detail: 'offered in person; the patient needs telehealth only',
        missing: undefined,
      },
    ]);
  });

  it('gives an in-person-only patient in-person care only, within reach', () => {
    const result = candidatesFor(buildDisplacedPatient({ needs: ['in_person_only'] }), all, now);
    expect(optionIds(result)).toEqual(['group_seat:g-in-person']);
    expect(rejectionOf(result, 'g-virtual').map((failure) => failure.constraint)).toEqual([
      'modality',
    ]);
    expect(rejectionOf(result, 'op-both').map((failure) => failure.constraint)).toEqual([
      'distance',
    ]);
  });

  it('sees a flexible patient virtually when a provider offers both', () => {
    const result = candidatesFor(
      buildDisplacedPatient(),
      targets({ outsideProviders: [both] }),
      now,
    );
    expect(result.options[0]?.mode).toBe('virtual');
    expect(result.options[0]?.passed).toContain('distance: virtual care, no travel');
  });
});

describe('language', () => {
  const spanishSpeaker = buildDisplacedPatient({ language: 'es' });
  it.each([
    { case: 'held in the patient’s language', group: { language: 'es' }, passes: true },
    {
      case: 'another language with an interpreter',
      group: { accommodations: ['interpreter' as const] },
      passes: true,
    },
    { case: 'another language, no interpreter', group: {}, passes: false },
  ])('$case: candidate $passes', ({ group, passes }) => {
    const result = candidatesFor(
      spanishSpeaker,
      targets({ groupSeats: [buildBabyFriendlyGroup(group)] }),
      now,
    );
    expect(result.options.length).toBe(passes ? 1 : 0);
    if (!passes)
      expect(rejectionOf(result, 'g-1')[0]?.detail).toBe(
        'offered in en, not es, and no interpreter',
      );
  });
});

describe('distance', () => {
  it.each([
    { km: 38.9, maxTravelKm: undefined, passes: true },
    { km: 41.1, maxTravelKm: undefined, passes: false },
    { km: 41.1, maxTravelKm: 50, passes: true },
  ])(
    'in person at $km km, limit $maxTravelKm: candidate $passes',
    ({ km, maxTravelKm, passes }) => {
      const result = candidatesFor(
        buildDisplacedPatient(),
        targets({ groupSeats: [buildBabyFriendlyGroup(north(km))] }),
        now,
        { maxTravelKm },
      );
      expect(result.options.length).toBe(passes ? 1 : 0);
      if (!passes)
        expect(rejectionOf(result, 'g-1')[0]?.detail).toBe('41.1 km away, beyond the 40 km limit');
    },
  );
});

describe('other hard constraints', () => {
  it.each([
    {
      case: 'a full group',
      targets: targets({ groupSeats: [buildBabyFriendlyGroup({ openSeats: 0 })] }),
      constraint: 'capacity',
    },
    {
      case: 'a provider not accepting',
      targets: targets({ outsideProviders: [buildPmhcProvider({ accepting: false })] }),
      constraint: 'capacity',
    },
    {
      case: 'a clinician with no free slot',
      targets: targets({
        appointments: [buildAppointmentTarget({ specialties: ['depression'], slots: [] })],
      }),
      constraint: 'capacity',
    },
    {
      case: 'a group whose sessions clash',
      targets: targets({ groupSeats: [buildBabyFriendlyGroup()] }),
      constraint: 'schedule',
      busy: [wednesday],
    },
    {
      case: 'an in-person group without wheelchair access',
      targets: targets({ groupSeats: [buildBabyFriendlyGroup()] }),
      constraint: 'accommodations',
      needs: ['wheelchair' as const],
    },
  ])('rejects $case', ({ targets: given, constraint, busy, needs }) => {
    const result = candidatesFor(buildDisplacedPatient({ busy, needs: needs ?? [] }), given, now);
    expect(result.options).toEqual([]);
    expect(result.rejections[0]?.failed.map((failure) => failure.constraint)).toEqual([constraint]);
  });

  it('does not ask a virtual group for wheelchair access', () => {
    const result = candidatesFor(
      buildDisplacedPatient({ needs: ['wheelchair'] }),
      targets({ groupSeats: [buildBabyFriendlyGroup({ modality: 'virtual' })] }),
      now,
    );
    expect(result.options).toHaveLength(1);
  });

  it('books a clinician’s first slot that does not clash', () => {
    const friday = {
      startsAt: new Date('2025-03-07T18:00:00.000Z'),
      endsAt: new Date('2025-03-07T19:00:00.000Z'),
    };
    const result = candidatesFor(
      buildDisplacedPatient({
        lostGroup: { id: 'g-lost', specialty: 'depression' },
        busy: [wednesday],
      }),
      targets({
        appointments: [
          buildAppointmentTarget({ specialties: ['depression'], slots: [friday, wednesday] }),
        ],
      }),
      now,
    );
    expect(result.options[0]).toMatchObject({ firstSessionAt: friday.startsAt, capacity: 1 });
  });

  it('never offers the lost group back', () => {
    const result = candidatesFor(
      buildDisplacedPatient(),
      targets({ groupSeats: [buildBabyFriendlyGroup({ id: 'g-lost' })] }),
      now,
    );
    expect(result.options).toEqual([]);
    expect(result.noCandidateReason).toMatch(/^no group seat on offer/);
  });
});

describe('explanations', () => {
  const patient = buildDisplacedPatient({ needs: ['evening'] });
  const result = candidatesFor(
    patient,
    targets({ groupSeats: [buildBabyFriendlyGroup(north(11.12))] }),
    now,
  );
  const option = result.options[0];

  it('list every cost term, and the total is their sum', () => {
    expect(option?.terms.map((term) => term.term)).toEqual([...costTerms]);
    expect(option?.cost).toBe(option?.terms.reduce((sum, term) => sum + term.cost, 0));
  });

  it('price each term in integer units ×1000', () => {
    expect(option?.terms.map(({ term, value, cost }) => ({ term, value, cost }))).toEqual([
      { term: 'specialty_mismatch', value: 0, cost: 0 },
      { term: 'travel', value: expect.closeTo(11.12, 2) as unknown, cost: 1112 },
      { term: 'delay', value: 2, cost: 4000 }, // 2 business days × 1 × perinatal weight 2
      { term: 'own_clinician_loss', value: 1, cost: 3000 },
      { term: 'outside_network', value: 0, cost: 0 },
      { term: 'missing_soft_accommodations', value: 1, cost: 2000 },
    ]);
    expect(option?.terms[5]?.detail).toBe('lacks evening');
  });

  it('list every hard constraint passed, in words', () => {
    expect(option?.passed.map((line) => line.split(':')[0])).toEqual([...hardConstraints]);
    expect(option?.passed).toEqual([
      'specialty: perinatal_mood_anxiety scores 1.00 for perinatal_mood_anxiety (floor 0.50): same specialty',
      "language: offered in en, the patient's language",
      'modality: in person',
      'distance: 11.1 km, within 40 km',
      'accommodations: none required',
      'capacity: 3 open seats',
      'schedule: no known commitments to clash with',
    ]);
  });

  it('charge no loss when the patient keeps their own clinician', () => {
    const kept = candidatesFor(
      buildDisplacedPatient({ ownClinicianIds: ['c-9'] }),
      targets({ groupSeats: [buildBabyFriendlyGroup()] }),
      now,
    );
    expect(kept.options[0]?.terms[3]).toMatchObject({ value: 0, cost: 0 });
  });

  it('charge the outside-network penalty and an assumed delay for a provider with no date', () => {
    const outside = candidatesFor(
      mother,
      targets({ outsideProviders: [buildPmhcProvider({ firstAppointmentAt: null })] }),
      now,
    );
    expect(outside.options[0]?.terms[2]).toMatchObject({ value: 5, cost: 10_000 });
    expect(outside.options[0]?.terms[4]).toMatchObject({ value: 1, cost: 5000 });
  });
});

describe('a patient with no candidate', () => {
  it('gets a reason naming what was missing, kind by kind', () => {
    const result = candidatesFor(
      mother,
      targets({
        groupSeats: [
          buildBabyFriendlyGroup({
            id: 'g-anxiety',
            specialty: 'general_anxiety',
            accommodations: [],
          }),
          buildBabyFriendlyGroup({ id: 'g-far', ...north(60) }),
        ],
        outsideProviders: [buildPmhcProvider({ accepting: false })],
      }),
      now,
    );
    expect(result.options).toEqual([]);
    expect(result.noCandidateReason).toBe(
      'no baby-friendly perinatal seat within 40 km; no perinatal or PMH-C provider with capacity; no in-network clinician with time on offer',
    );
  });

  it('says so when there is no specialty to match', () => {
    const result = candidatesFor(
      buildDisplacedPatient({ lostGroup: null, conditions: [] }),
      targets({}),
      now,
    );
    expect(result.noCandidateReason).toBe('no specialty on record to match against');
  });

  it('has no reason when a candidate exists, but keeps the reasons of the empty kinds', () => {
    const result = candidatesFor(mother, targets({ groupSeats: [buildBabyFriendlyGroup()] }), now);
    expect(result.noCandidateReason).toBeNull();
    expect(result.kindReasons).toEqual({
      outside_provider: 'no outside provider on offer',
      individual_appointment: 'no in-network clinician with time on offer',
    });
  });
});

describe('the risk weight', () => {
  const group = targets({ groupSeats: [buildBabyFriendlyGroup()] });
  const standard = candidatesFor(buildDisplacedPatient({ perinatal: false }), group, now);
  const urgent = candidatesFor(
    buildDisplacedPatient({ conditions: ['perinatal_psychosis_risk'] }),
    group,
    now,
  );

  it('multiplies the delay term', () => {
    expect(standard.tier).toBe('standard');
    expect(urgent.tier).toBe('urgent');
    const delay = (result: PatientCandidates) => result.options[0]?.terms[2];
    expect(delay(standard)).toMatchObject({ value: 2, weight: 1, cost: 2000 });
    expect(delay(urgent)).toMatchObject({ value: 2, weight: 8, cost: 16_000 });
  });

  it('leaves the other terms alone', () => {
    const others = (result: PatientCandidates) =>
      result.options[0]?.terms.filter((term) => term.term !== 'delay');
    expect(others(urgent)).toEqual(others(standard));
  });

  it('multiplies the unmatched penalty', () => {
    expect(standard.unmatchedCost).toBe(200_000);
    expect(urgent.unmatchedCost).toBe(1_600_000);
  });
});

describe('order', () => {
  it('breaks equal costs by id', () => {
    const result = candidatesFor(
      buildDisplacedPatient(),
      targets({
        groupSeats: [buildBabyFriendlyGroup({ id: 'g-b' }), buildBabyFriendlyGroup({ id: 'g-a' })],
      }),
      now,
    );
    expect(result.options[0]?.cost).toBe(result.options[1]?.cost);
    expect(optionIds(result)).toEqual(['group_seat:g-a', 'group_seat:g-b']);
  });

  it('gives the cohort worst risk first', () => {
    const cohort = cohortCandidates(
      [
        buildDisplacedPatient({ id: 'p-standard', perinatal: false }),
        buildDisplacedPatient({ id: 'p-urgent', conditions: ['perinatal_psychosis_risk'] }),
        buildDisplacedPatient({ id: 'p-perinatal' }),
      ],
      targets({ groupSeats: [buildBabyFriendlyGroup()] }),
      now,
    );
    expect(cohort.map((entry) => [entry.patientId, entry.tier])).toEqual([
      ['p-urgent', 'urgent'],
      ['p-perinatal', 'perinatal'],
      ['p-standard', 'standard'],
    ]);
  });
});

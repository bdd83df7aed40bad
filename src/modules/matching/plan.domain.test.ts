import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type {
  CandidateTargets,
  DisplacedPatient,
  GroupSeatTarget,
  OptionKind,
  OutsideProviderTarget,
} from './candidate-targets.domain.ts';
import {
  candidatesFor,
  cohortCandidates,
  type CandidateOption,
  type PatientCandidates,
} from './candidates.domain.ts';
import {
  individualSlots,
  keptAlternatives,
  maxCandidatesPerPatient,
  planInstance,
  proposalsOf,
  shortfallOf,
  tallyProposals,
  type PlannedProposal,
  type PlanPatient,
} from './plan.domain.ts';
import type { RiskTier } from './risk.domain.ts';
import { solveMatching } from './solver.domain.ts';
import { UNMATCHED } from './solver-instance.domain.ts';
import {
  buildDisplacedPatient,
  buildGroupSeatTarget,
  buildOutsideProviderTarget,
  north,
  now,
  targets,
  wednesday,
} from '../../test/matching-fixtures.ts';

// --- planInstance, on hand-made candidate lists ---

function option(id: string, cost: number, capacity = 1): CandidateOption {
  const [kind, targetId] = id.split(':') as [OptionKind, string];
  return {
    id,
    patientId: 'p',
    kind,
    targetId,
    capacity,
    mode: 'in_person',
    firstSessionAt: null,
    equivalence: { score: 1, rationale: 'same specialty', via: 'depression' },
    cost,
    terms: [],
    passed: [],
  };
}

function listOf(
  patientId: string,
  options: CandidateOption[],
  unmatchedCost = 200_000,
): PatientCandidates {
  return {
    patientId,
    need: 'depression',
    tier: 'standard',
    weight: 1,
    options,
    unmatchedCost,
    rejections: [],
    kindReasons: {},
    noCandidateReason: options.length === 0 ? 'none' : null,
  };
}

describe('planInstance', () => {
  const cohort = [
    listOf('p-1', [option('outside_provider:op-a', 100, 2), option('group_seat:g-b', 300, 4)]),
    listOf('p-2', [], 800_000),
    listOf('p-3', [option('group_seat:g-b', 50, 6), option('group_seat:g-a', 70, 1)], 400_000),
  ];
  const { instance, optionIds, kept } = planInstance(cohort);

  it('indexes options in id order, whatever order they came in', () => {
    expect(optionIds).toEqual(['group_seat:g-a', 'group_seat:g-b', 'outside_provider:op-a']);
  });

  it('gives each option the largest capacity any patient saw', () => {
    expect([...instance.optionCapacity]).toEqual([1, 6, 2]);
  });

  it('lays the edges out per patient, in cohort order, pointing at the right options', () => {
    expect([...instance.edgeStart]).toEqual([0, 2, 2, 4]);
    expect([...instance.edgeOption]).toEqual([2, 1, 1, 0]);
    expect([...instance.edgeCost]).toEqual([100, 300, 50, 70]);
    expect([...instance.unmatchedCost]).toEqual([200_000, 800_000, 400_000]);
    expect(kept.map((list) => list.map((o) => o.id))).toEqual([
      ['outside_provider:op-a', 'group_seat:g-b'],
      [],
      ['group_seat:g-b', 'group_seat:g-a'],
    ]);
  });

  it(`keeps only a patient's ${maxCandidatesPerPatient} cheapest candidates`, () => {
    const many = Array.from({ length: maxCandidatesPerPatient + 30 }, (_, k) =>
      option(`group_seat:g-${String(k).padStart(3, '0')}`, 1000 + k),
    );
    const plan = planInstance([listOf('p-1', many)]);
    expect(plan.instance.edgeCost).toHaveLength(maxCandidatesPerPatient);
    expect(Math.max(...plan.instance.edgeCost)).toBe(1000 + maxCandidatesPerPatient - 1);
    expect(plan.optionIds).not.toContain(`group_seat:g-${maxCandidatesPerPatient}`);
    expect(plan.optionIds).toHaveLength(maxCandidatesPerPatient);
  });

  const cohortArb = fc.array(
    fc
      .uniqueArray(
        fc.record({
          target: fc.integer({ min: 0, max: 12 }),
          cost: fc.integer({ min: 0, max: 5000 }),
          capacity: fc.integer({ min: 0, max: 4 }),
        }),
        { selector: (o) => o.target, maxLength: 8 },
      )
      .map((options) =>
        options
          .map((o) => option(`group_seat:g-${o.target}`, o.cost, o.capacity))
          .sort((a, b) => a.cost - b.cost),
      ),
    { maxLength: 10 },
  );

  it('builds a consistent CSR instance the solver accepts', () => {
    fc.assert(
      fc.property(cohortArb, (lists) => {
        const cohortLists = lists.map((options, i) => listOf(`p-${i}`, options, 1000 + i));
        const plan = planInstance(cohortLists);
        const { edgeStart, edgeOption, edgeCost, optionCapacity } = plan.instance;
        const seen = new Set(lists.flat().map((o) => o.id));
        expect(plan.optionIds).toEqual([...seen].sort());
        expect(edgeStart[0]).toBe(0);
        expect(edgeStart).toHaveLength(lists.length + 1);
        lists.forEach((options, i) => {
          const from = edgeStart[i] ?? -1;
          const to = edgeStart[i + 1] ?? -1;
          expect(to - from).toBe(options.length);
          const edges = Array.from({ length: to - from }, (_, k) => ({
            id: plan.optionIds[edgeOption[from + k] ?? -1],
            cost: edgeCost[from + k],
          }));
          expect(edges).toEqual(options.map((o) => ({ id: o.id, cost: o.cost })));
        });
        plan.optionIds.forEach((id, o) => {
          const capacities = lists.flat().filter((x) => x.id === id);
          expect(optionCapacity[o]).toBe(Math.max(...capacities.map((x) => x.capacity)));
        });
        expect(() => solveMatching(plan.instance, { debug: true })).not.toThrow();
      }),
    );
  });
});

// --- proposalsOf, on real candidates and a real solution ---

// The scenario's defaults: one seat and one outside place, each with an interpreter so that a
// Spanish speaker qualifies too, for patients who are not perinatal (so standard unless at risk).
const buildNonPerinatalPatient = (overrides: Partial<DisplacedPatient> = {}) =>
  buildDisplacedPatient({ perinatal: false, ...overrides });
const buildOneSeatGroup = (overrides: Partial<GroupSeatTarget> = {}) =>
  buildGroupSeatTarget({ accommodations: ['interpreter'], openSeats: 1, ...overrides });
const buildOnePlaceProvider = (overrides: Partial<OutsideProviderTarget> = {}) =>
  buildOutsideProviderTarget({ accommodations: ['interpreter'], weeklyCapacity: 1, ...overrides });

const names: Record<string, string> = { 'g-1': 'Perinatal Group West', 'op-1': 'Dr Reyes' };
const nameOf = (_kind: OptionKind, id: string) => names[id] ?? `unnamed ${id}`;
const planPatient = (id: string): PlanPatient => ({
  serviceAreaId: `area-${id}`,
  lostGroupIds: ['g-lost'],
  requires: [],
});

function plan(patients: DisplacedPatient[], given: CandidateTargets) {
  const cohort = cohortCandidates(patients, given, now);
  const instance = planInstance(cohort);
  const solution = solveMatching(instance.instance, { debug: true });
  return {
    cohort,
    solution,
    proposals: proposalsOf(
      cohort,
      cohort.map((c) => planPatient(c.patientId)),
      instance,
      solution,
      nameOf,
      1000,
    ),
  };
}

describe('proposalsOf: one seat and one referral for three patients', () => {
  // One seat (g-1) and one outside place (op-1). The high-risk patient takes the seat, the
  // standard patient the referral; the one who also wants evenings (2 units a place dearer) is
  // left over, and a patient with an eating disorder had no candidate at all.
  const { proposals, solution } = plan(
    [
      buildNonPerinatalPatient({ id: 'p-std' }),
      buildNonPerinatalPatient({ id: 'p-evening', language: 'es', needs: ['evening'] }),
      buildNonPerinatalPatient({
        id: 'p-none',
        conditions: ['eating_disorders'],
        lostGroup: { id: 'g-lost', specialty: 'eating_disorders' },
      }),
      buildNonPerinatalPatient({ id: 'p-high', risk: 'high' }),
    ],
    targets({ groupSeats: [buildOneSeatGroup()], outsideProviders: [buildOnePlaceProvider()] }),
  );
  const byId = (id: string) => {
    const found = proposals.find((p) => p.patientId === id);
    if (!found) throw new Error(`no proposal for ${id}`);
    return found;
  };

  it('gives one proposal per patient, in rank order', () => {
    expect(proposals.map((p) => [p.rank, p.patientId, p.tier])).toEqual([
      [0, 'p-high', 'high'],
      [1, 'p-evening', 'standard'],
      [2, 'p-none', 'standard'],
      [3, 'p-std', 'standard'],
    ]);
    expect(solution.assignment.filter((a) => a === UNMATCHED)).toHaveLength(2);
  });

  it('proposes the chosen option, its target and its cost in units', () => {
    const high = byId('p-high');
    expect(high).toMatchObject({ option: 'group', targetId: 'g-1', cost: 11.5 });
    // 5 km × 0.1, 2 business days × 1 × weight 4, and the loss of the own clinician.
    expect(high.explanation.chosen?.terms.map((t) => t.cost)).toEqual([0, 0.5, 8, 3, 0, 0]);
    expect(high.explanation.chosen).toMatchObject({
      optionId: 'group_seat:g-1',
      option: 'group',
      targetName: 'Perinatal Group West',
      cost: 11.5,
      mode: 'in_person',
      firstSessionAt: '2025-03-05T18:00:00.000Z',
    });
    expect(high.explanation.unmatchedCost).toBe(800);
    expect(byId('p-std')).toMatchObject({ option: 'outside_provider', targetId: 'op-1' });
    expect(byId('p-std').cost).toBeCloseTo(11.8, 10);
  });

  it('lists the alternatives without the chosen option', () => {
    expect(byId('p-high').explanation.alternatives.map((a) => a.optionId)).toEqual([
      'outside_provider:op-1',
    ]);
    expect(byId('p-std').explanation.alternatives.map((a) => a.optionId)).toEqual([
      'group_seat:g-1',
    ]);
    expect(byId('p-evening').explanation.alternatives.map((a) => a.optionId)).toEqual([
      'group_seat:g-1',
      'outside_provider:op-1',
    ]);
    expect(byId('p-std').explanation.alternatives[0]?.cost).toBeCloseTo(5.5, 10);
  });

  it('says why each option was chosen', () => {
    expect(byId('p-high').explanation.summary).toBe(
      'a seat in Perinatal Group West: the best of its candidates (2 candidates)',
    );
    expect(byId('p-std').explanation.summary).toBe(
      'a referral to Dr Reyes: its cheaper candidates went to patients at higher risk or with a closer fit (2 candidates)',
    );
  });

  it('says the places were filled when a patient had candidates but no room', () => {
    const left = byId('p-evening');
    expect(left).toMatchObject({ option: 'unmatched', targetId: null, cost: 200 });
    expect(left.explanation.chosen).toBeNull();
    expect(left.explanation.candidateCount).toBe(2);
    expect(left.explanation.summary).toBe(
      'unmatched: all 2 candidates were filled by patients at higher risk or with a closer fit',
    );
  });

  it('gives the reason there was no candidate at all', () => {
    const none = byId('p-none');
    expect(none).toMatchObject({ option: 'unmatched', targetId: null, cost: 200 });
    expect(none.explanation).toMatchObject({ need: 'eating_disorders', candidateCount: 0 });
    expect(none.explanation.alternatives).toEqual([]);
    expect(none.explanation.summary).toBe(
      'unmatched: no eating disorder seat; no eating disorder provider; no in-network clinician with time on offer',
    );
  });

  it('carries the patient facts into the explanation', () => {
    expect(byId('p-std').explanation).toMatchObject({
      serviceAreaId: 'area-p-std',
      lostGroupIds: ['g-lost'],
      requires: [],
      tier: 'standard',
      weight: 1,
    });
  });
});

describe('proposalsOf: alternatives', () => {
  // Depression groups 1 to 8 km away, each with one seat: the nearer, the cheaper. The nearest
  // meets a day sooner, which is worth more to the high-risk patient (a heavier delay weight).
  const tuesday = {
    startsAt: new Date('2025-03-04T18:00:00.000Z'),
    endsAt: new Date('2025-03-04T19:30:00.000Z'),
  };
  const groups = [1, 2, 3, 4, 5, 6, 7, 8].map((km) =>
    buildOneSeatGroup({
      id: `g-${km}km`,
      specialty: 'depression',
      ...north(km),
      sessions: [km === 1 ? tuesday : wednesday],
    }),
  );
  const depressed = (id: string, risk: DisplacedPatient['risk']) =>
    buildNonPerinatalPatient({
      id,
      risk,
      conditions: ['depression'],
      lostGroup: { id: 'g-lost', specialty: 'depression' },
    });
  const { proposals } = plan(
    [depressed('p-std', 'moderate'), depressed('p-high', 'high')],
    targets({ groupSeats: groups }),
  );
  const alternativesOf = (index: number) =>
    proposals[index]?.explanation.alternatives.map((a) => a.targetId);

  it(`keeps at most ${keptAlternatives}, cheapest first, without the chosen one`, () => {
    expect(proposals.map((p) => [p.patientId, p.targetId])).toEqual([
      ['p-high', 'g-1km'],
      ['p-std', 'g-2km'],
    ]);
    expect(alternativesOf(0)).toEqual(['g-2km', 'g-3km', 'g-4km', 'g-5km', 'g-6km']);
    expect(alternativesOf(1)).toEqual(['g-1km', 'g-3km', 'g-4km', 'g-5km', 'g-6km']);
    expect(proposals[1]?.explanation.candidateCount).toBe(8);
  });
});

describe('tallyProposals', () => {
  it('counts by option and by tier × option, with zeros for the rest', () => {
    const tally = tallyProposals([
      { tier: 'urgent', option: 'group' },
      { tier: 'urgent', option: 'unmatched' },
      { tier: 'standard', option: 'group' },
      { tier: 'perinatal', option: 'individual' },
      { tier: 'standard', option: 'outside_provider' },
    ]);
    const zero = { group: 0, outside_provider: 0, individual: 0, unmatched: 0 };
    expect(tally.byOption).toEqual({ group: 2, outside_provider: 1, individual: 1, unmatched: 1 });
    expect(tally.byTier).toEqual({
      urgent: { ...zero, group: 1, unmatched: 1 },
      recent_discharge: zero,
      high: zero,
      perinatal: { ...zero, individual: 1 },
      standard: { ...zero, group: 1, outside_provider: 1 },
    });
  });

  it('gives all zeros for no proposals', () => {
    expect(Object.values(tallyProposals([]).byOption)).toEqual([0, 0, 0, 0]);
  });
});

// --- shortfallOf ---

function proposal(
  option: PlannedProposal['option'],
  need: PlannedProposal['explanation']['need'],
  serviceAreaId: string,
  requires: PlannedProposal['explanation']['requires'] = [],
  tier: RiskTier = 'standard',
): PlannedProposal {
  return {
    patientId: 'p',
    rank: 0,
    tier,
    option,
    targetId: option === 'unmatched' ? null : 't',
    cost: 0,
    explanation: {
      need,
      tier,
      weight: 1,
      lostGroupIds: [],
      serviceAreaId,
      requires,
      chosen: null,
      alternatives: [],
      candidateCount: 0,
      unmatchedCost: 200,
      summary: '',
      kindReasons: {},
    },
  };
}

const areaNames: Record<string, string> = { wh: 'Woodland Hills', bur: 'Burbank' };
const areaName = (id: string) => areaNames[id] ?? id;

describe('shortfallOf', () => {
  it('groups unmatched patients by specialty × area × accommodations, largest first', () => {
    const lines = shortfallOf(
      [
        proposal('unmatched', 'depression', 'wh'),
        proposal('unmatched', 'perinatal_mood_anxiety', 'wh', ['baby_friendly']),
        proposal('unmatched', 'perinatal_mood_anxiety', 'wh', ['baby_friendly'], 'urgent'),
        proposal('group', 'perinatal_mood_anxiety', 'wh', ['baby_friendly']),
        proposal('unmatched', 'perinatal_mood_anxiety', 'wh'),
        proposal('unmatched', 'depression', 'bur'),
      ],
      areaName,
    );
    expect(lines.map((l) => [l.serviceArea, l.specialty, l.accommodations, l.patients])).toEqual([
      ['Woodland Hills', 'perinatal_mood_anxiety', ['baby_friendly'], 2],
      ['Burbank', 'depression', [], 1],
      ['Woodland Hills', 'depression', [], 1],
      ['Woodland Hills', 'perinatal_mood_anxiety', [], 1],
    ]);
    expect(lines[0]).toMatchObject({ serviceAreaId: 'wh', seatsToClear: 2 });
  });

  it('says how many patients and places, in words', () => {
    const lines = shortfallOf(
      [
        proposal('unmatched', 'perinatal_mood_anxiety', 'wh', ['baby_friendly']),
        proposal('unmatched', 'perinatal_mood_anxiety', 'wh', ['baby_friendly']),
        proposal('unmatched', 'depression', 'bur'),
      ],
      areaName,
    );
    expect(lines.map((l) => l.text)).toEqual([
      'Woodland Hills, baby-friendly perinatal: 2 patients without an equivalent place; 2 more baby-friendly perinatal seats or outside places within reach would clear it',
      'Burbank, depression: 1 patient without an equivalent place; 1 more depression seat or outside place within reach would clear it',
    ]);
  });

  it('treats the same accommodations in any order as one shape', () => {
    const lines = shortfallOf(
      [
        proposal('unmatched', 'perinatal_mood_anxiety', 'wh', ['wheelchair', 'baby_friendly']),
        proposal('unmatched', 'perinatal_mood_anxiety', 'wh', ['baby_friendly', 'wheelchair']),
      ],
      areaName,
    );
    expect(lines).toHaveLength(1);
    expect(lines[0]?.accommodations).toEqual(['baby_friendly', 'wheelchair']);
    expect(lines[0]?.text).toMatch(
      /^Woodland Hills, baby-friendly wheelchair-accessible perinatal: 2 patients/,
    );
  });

  it('leaves out matched patients and patients with no specialty on record', () => {
    expect(
      shortfallOf(
        [
          proposal('group', 'depression', 'wh'),
          proposal('individual', 'depression', 'wh'),
          proposal('unmatched', null, 'wh'),
        ],
        areaName,
      ),
    ).toEqual([]);
  });
});

// --- individualSlots ---

const la = 'America/Los_Angeles';
const starts = (slots: ReturnType<typeof individualSlots>) =>
  slots.map((s) => s.startsAt.toISOString());

describe('individualSlots', () => {
  it('gives one FTE 2 slots a week over two weeks, at 13:00 or 15:00 local across the DST change', () => {
    // From Monday 3 March (PST, UTC−8) into the weeks after Sunday 9 March (PDT, UTC−7).
    const slots = individualSlots(now, 1, [], la);
    expect(starts(slots)).toEqual([
      '2025-03-04T23:00:00.000Z', // Tue 15:00 PST
      '2025-03-05T21:00:00.000Z', // Wed 13:00 PST
      '2025-03-11T20:00:00.000Z', // Tue 13:00 PDT
      '2025-03-12T22:00:00.000Z', // Wed 15:00 PDT
    ]);
    for (const slot of slots)
      expect(slot.endsAt.getTime() - slot.startsAt.getTime()).toBe(3_600_000);
  });

  it.each([
    { case: 'a Friday', at: '2025-03-07T20:00:00.000Z' },
    { case: 'the Sunday clocks change', at: '2025-03-09T18:00:00.000Z' },
    { case: 'a Friday evening, already Saturday in UTC', at: '2025-03-08T06:30:00.000Z' },
  ])('starts on the next weekday after $case', ({ at }) => {
    expect(starts(individualSlots(new Date(at), 1, [], la))).toEqual([
      '2025-03-10T22:00:00.000Z', // Mon 15:00 PDT
      '2025-03-11T20:00:00.000Z', // Tue 13:00 PDT
      '2025-03-17T20:00:00.000Z', // Mon 13:00 PDT
      '2025-03-18T22:00:00.000Z', // Tue 15:00 PDT
    ]);
  });

  it('counts days by the local date: Monday evening is still Monday', () => {
    // 22:30 on Monday 3 March in Los Angeles is already Tuesday in UTC.
    const slots = individualSlots(new Date('2025-03-04T06:30:00.000Z'), 1, [], la);
    expect(starts(slots)[0]).toBe('2025-03-04T23:00:00.000Z');
  });

  it('keeps to weekdays, one slot a day, alternating 15:00 and 13:00', () => {
    const slots = individualSlots(new Date('2025-03-07T20:00:00.000Z'), 2.5, [], la);
    expect(starts(slots).map((s) => s.slice(0, 10))).toEqual([
      '2025-03-10',
      '2025-03-11',
      '2025-03-12',
      '2025-03-13',
      '2025-03-14',
      '2025-03-17',
      '2025-03-18',
      '2025-03-19',
      '2025-03-20',
      '2025-03-21',
    ]);
    // PDT: 15:00 is 22:00 UTC, 13:00 is 20:00 UTC.
    expect(slots.map((s) => s.startsAt.getUTCHours())).toEqual([
      22, 20, 22, 20, 22, 20, 22, 20, 22, 20,
    ]);
  });

  it.each([
    { fte: 0, count: 0 },
    { fte: 0.2, count: 0 },
    { fte: 0.25, count: 2 },
    { fte: 0.5, count: 2 },
    { fte: 0.74, count: 2 },
    { fte: 0.75, count: 4 },
    { fte: 1, count: 4 },
    { fte: 1.5, count: 6 },
  ])('gives FTE $fte $count slots over two weeks', ({ fte, count }) => {
    expect(individualSlots(now, fte, [], la)).toHaveLength(count);
  });

  it('leaves out a slot a booked appointment starts at, without moving it to another day', () => {
    const slots = individualSlots(
      now,
      1,
      [new Date('2025-03-05T21:00:00.000Z'), new Date('2025-03-11T20:30:00.000Z')],
      la,
    );
    expect(starts(slots)).toEqual([
      '2025-03-04T23:00:00.000Z',
      '2025-03-11T20:00:00.000Z',
      '2025-03-12T22:00:00.000Z',
    ]);
  });
});

// A sanity check on the cohort helper itself, so the proposals above rest on real candidates.
describe('the cohort behind the proposals', () => {
  it('has the candidates the scenario assumes', () => {
    const given = targets({
      groupSeats: [buildOneSeatGroup()],
      outsideProviders: [buildOnePlaceProvider()],
    });
    const costs = (patient: DisplacedPatient) =>
      candidatesFor(patient, given, now).options.map((o) => [o.id, o.cost]);
    expect(costs(buildNonPerinatalPatient({ id: 'p-high', risk: 'high' }))).toEqual([
      ['group_seat:g-1', 11_500],
      ['outside_provider:op-1', 20_800],
    ]);
    expect(costs(buildNonPerinatalPatient({ id: 'p-std' }))).toEqual([
      ['group_seat:g-1', 5500],
      ['outside_provider:op-1', 11_800],
    ]);
    expect(costs(buildNonPerinatalPatient({ language: 'es', needs: ['evening'] }))).toEqual([
      ['group_seat:g-1', 7500],
      ['outside_provider:op-1', 13_800],
    ]);
  });
});

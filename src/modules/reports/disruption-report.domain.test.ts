import { describe, expect, it } from 'vitest';
import { impactOf } from '../disruptions/disruptions.domain.ts';
import type { HistoryEntry } from '../referrals/referrals.domain.ts';
import { businessCalendar } from '../timely-access/calendar.domain.ts';
import {
  patientOutcomes,
  placementAt,
  referralStatusAt,
  type PlacementRow,
} from './disruption-report.domain.ts';

const tz = 'America/Los_Angeles';
const calendar = businessCalendar({ fromYear: 2024, toYear: 2027 });
const at = (iso: string) => new Date(iso);
const step = (from: HistoryEntry['from'], to: HistoryEntry['to'], when: string): HistoryEntry => ({
  from,
  to,
  at: when,
  by: 'user:c',
});

const history = [
  step('draft', 'sent', '2025-03-06T17:00:00Z'),
  step('sent', 'accepted', '2025-03-10T17:00:00Z'),
  step('accepted', 'scheduled', '2025-03-11T17:00:00Z'),
  step('scheduled', 'no_show', '2025-03-20T17:00:00Z'),
];

describe('referralStatusAt', () => {
  it.each([
    ['2025-03-06T16:59:59Z', 'draft'],
    ['2025-03-06T17:00:00Z', 'sent'],
    ['2025-03-10T18:00:00Z', 'accepted'],
    ['2025-03-15T00:00:00Z', 'scheduled'],
    ['2025-04-01T00:00:00Z', 'no_show'],
  ])('at %s the referral was %s', (when, status) => {
    expect(referralStatusAt(history, at(when))).toBe(status);
  });

  it('reads the history by time, not by its order', () => {
    expect(referralStatusAt([...history].reverse(), at('2025-03-10T18:00:00Z'))).toBe('accepted');
  });
});

const referral = (h: HistoryEntry[], acceptedAt: string | null): PlacementRow => ({
  patientId: 'p',
  option: 'outside_provider',
  targetName: 'Valley Perinatal',
  createdAt: at('2025-03-05T18:00:00Z'),
  referral: { acceptedAt: acceptedAt === null ? null : at(acceptedAt), history: h },
  appointmentStatus: null,
});

describe('placementAt', () => {
  const group: PlacementRow = {
    patientId: 'p',
    option: 'group',
    targetName: 'Circle',
    createdAt: at('2025-03-05T18:00:00Z'),
    referral: null,
    appointmentStatus: null,
  };

  it('places in a group from the enrollment, and not before it was made', () => {
    expect(placementAt(group, at('2025-03-06T00:00:00Z'))).toEqual({
      placedAt: at('2025-03-05T18:00:00Z'),
    });
    expect(placementAt(group, at('2025-03-05T17:00:00Z'))).toBeNull();
  });

  it('places with an individual visit unless it was cancelled', () => {
    const visit = { ...group, option: 'individual' as const, appointmentStatus: 'booked' };
    expect(placementAt(visit, at('2025-03-06T00:00:00Z'))).not.toBeNull();
    expect(
      placementAt({ ...visit, appointmentStatus: 'cancelled' }, at('2025-03-06T00:00:00Z')),
    ).toBeNull();
  });

  it('places with a provider once it accepted, until the referral fails', () => {
    const row = referral(history, '2025-03-10T17:00:00Z');
    expect(placementAt(row, at('2025-03-05T19:00:00Z'))).toBe('pending');
    expect(placementAt(row, at('2025-03-08T00:00:00Z'))).toBe('pending');
    expect(placementAt(row, at('2025-03-12T00:00:00Z'))).toEqual({
      placedAt: at('2025-03-10T17:00:00Z'),
    });
    expect(placementAt(row, at('2025-03-21T00:00:00Z'))).toBeNull();
  });

  it('does not place with a declined referral', () => {
    const declined = [
      step('draft', 'sent', '2025-03-06T17:00:00Z'),
      step('sent', 'declined', '2025-03-07T17:00:00Z'),
    ];
    expect(placementAt(referral(declined, null), at('2025-03-08T00:00:00Z'))).toBeNull();
  });
});

describe('patientOutcomes', () => {
  // Applied on Wednesday 5 March 2025 at 10:00 in Los Angeles.
  const appliedAt = at('2025-03-05T18:00:00Z');
  const patient = (id: string, lastCareAt: string) => ({
    id,
    mrn: `MRN-${id}`,
    name: `Patient ${id}`,
    serviceAreaId: 'a',
    conditions: ['perinatal_mood_anxiety' as const],
    perinatal: true,
    risk: 'moderate' as const,
    dischargedAt: null,
    lostGroupIds: ['g'],
    lastCareAt: at(lastCareAt),
  });
  // Each was last seen on Monday 3 March: 10 weekdays later is Monday 17 March, so a visit is
  // in time before midnight ending the 17th (local).
  const impact = impactOf(
    {
      sessions: [{ id: 's', groupId: 'g', startsAt: at('2025-03-10T18:00:00Z'), cancelled: true }],
      groups: [
        { id: 'g', name: 'Circle', specialty: 'perinatal_mood_anxiety', serviceAreaId: 'a' },
      ],
      patients: ['met', 'late', 'never', 'soon'].map((id) => patient(id, '2025-03-03T18:00:00Z')),
      serviceAreas: new Map([['a', { code: 'A', name: 'Area' }]]),
    },
    { from: at('2025-03-05T08:00:00Z'), until: null },
    appliedAt,
    appliedAt,
    tz,
  );
  const group = (patientId: string, createdAt: string): PlacementRow => ({
    patientId,
    option: 'group',
    targetName: 'Other circle',
    createdAt: at(createdAt),
    referral: null,
    appointmentStatus: null,
  });

  const outcomesAt = (asOf: string) =>
    new Map(
      patientOutcomes({
        impact,
        placements: [
          group('met', '2025-03-07T18:00:00Z'),
          group('met', '2025-03-06T18:00:00Z'),
          group('late', '2025-03-12T18:00:00Z'),
        ],
        latest: new Map([
          ['never', { option: 'unmatched', decision: 'committed' }],
          ['soon', { option: 'group', decision: 'pending' }],
        ]),
        firstVisits: new Map([
          ['met', at('2025-03-17T20:00:00Z')],
          ['late', at('2025-03-18T17:00:00Z')],
        ]),
        asOf: at(asOf),
        calendar,
      }).map((o) => [o.patientId, o]),
    );

  it('judges each first visit against the deadline the patient had when displaced', () => {
    const o = outcomesAt('2025-03-25T00:00:00Z');
    expect(o.get('met')?.deadline.dueBefore).toEqual(at('2025-03-18T07:00:00Z'));
    expect([...o.values()].map((p) => [p.patientId, p.verdict])).toEqual([
      ['late', 'missed'],
      ['met', 'met'],
      ['never', 'missed'],
      ['soon', 'missed'],
    ]);
  });

  it('keeps a deadline not yet passed pending', () => {
    const o = outcomesAt('2025-03-14T00:00:00Z');
    expect(o.get('never')?.verdict).toBe('pending');
    expect(o.get('met')?.verdict).toBe('pending');
  });

  it('takes the earliest placement, counts business days, and says why the others wait', () => {
    const o = outcomesAt('2025-03-25T00:00:00Z');
    expect(o.get('met')?.placement?.placedAt).toEqual(at('2025-03-06T18:00:00Z'));
    expect(o.get('met')?.businessDaysToPlacement).toBe(1);
    // Wednesday 5 March to Monday 17 March: 8 business days.
    expect(o.get('met')?.businessDaysToFirstVisit).toBe(8);
    expect(o.get('never')?.waiting).toBe('no_equivalent_place');
    expect(o.get('soon')?.waiting).toBe('planned');
    expect(o.get('late')?.waiting).toBeNull();
  });
});

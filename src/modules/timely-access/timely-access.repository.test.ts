import fc from 'fast-check';
import { expect, it } from 'vitest';
import { uuidv7 } from '../../shared/ids.ts';
import {
  buildClinician,
  buildLocation,
  buildOutsideProvider,
  buildPatient,
  buildServiceArea,
  create,
} from '../../test/factories.ts';
import { describeEachEngine } from '../../test/harness.ts';
import {
  evaluateAccess,
  evaluateDischargeFollowUp,
  standardFor,
  type AccessRequest,
} from './rules.domain.ts';
import { requestVerdicts } from './timely-access.repository.ts';
import { currentCalendar } from './timely-access.service.ts';

/*
 * The SQL that computes rates over a region must give every request the verdict the pure rules
 * give it. Random histories (requests around weekends, holidays and both DST changes of 2025,
 * offers early and late, notes, cancellations, follow-ups with and without a prior visit,
 * discharges) are written to the database, and each row's verdict and deadline are compared.
 */

const tz = 'America/Los_Angeles';
const now = new Date('2025-12-01T20:00:00.000Z');
const start = Date.parse('2025-01-02T08:00:00.000Z');
const span = Date.parse('2025-11-20T08:00:00.000Z') - start;
const hour = 3_600_000;

interface Drawn {
  patient: number;
  kind: 'initial' | 'follow_up' | 'group';
  urgent: boolean;
  priorAuthorization: boolean;
  requestedAt: number;
  offerAfterHours: number | null;
  status: 'requested' | 'booked' | 'attended' | 'no_show' | 'cancelled';
  cancelledBy: 'patient' | 'provider';
  note: string | null;
  with: 'lcsw' | 'psychiatrist' | 'psychiatric_np' | 'outside';
}

const drawn = fc.record<Drawn>({
  patient: fc.integer({ min: 0, max: 5 }),
  kind: fc.constantFrom('initial', 'follow_up', 'follow_up', 'group'),
  urgent: fc.integer({ min: 0, max: 3 }).map((n) => n === 0),
  priorAuthorization: fc.boolean(),
  requestedAt: fc.integer({ min: 0, max: span }).map((ms) => start + ms - (ms % 60_000)),
  offerAfterHours: fc.option(fc.integer({ min: 0, max: 24 * 30 }), { nil: null, freq: 4 }),
  status: fc.constantFrom('requested', 'booked', 'attended', 'attended', 'no_show', 'cancelled'),
  cancelledBy: fc.constantFrom('patient', 'provider'),
  note: fc.constantFrom(null, null, null, '   ', 'longer interval is clinically appropriate'),
  with: fc.constantFrom('lcsw', 'psychiatrist', 'psychiatric_np', 'outside'),
});

describeEachEngine('timely-access verdicts in SQL', (use) => {
  it('agree with the pure rules, request by request', async () => {
    const { app, context } = use();
    const area = await create(app, '/service-areas', buildServiceArea());
    const location = await create(app, '/locations', buildLocation(area.id));
    const clinicianOf = {
      lcsw: (await create(app, '/clinicians', buildClinician(location.id))).id,
      psychiatrist: (
        await create(
          app,
          '/clinicians',
          buildClinician(location.id, { discipline: 'psychiatrist', specialties: ['depression'] }),
        )
      ).id,
      psychiatric_np: (
        await create(
          app,
          '/clinicians',
          buildClinician(location.id, {
            discipline: 'psychiatric_np',
            specialties: ['depression'],
          }),
        )
      ).id,
    };
    const provider = (await create(app, '/outside-providers', buildOutsideProvider())).id;
    const patients: { id: string; dischargedAt: Date | null }[] = [];
    for (let i = 0; i < 6; i++) {
      const dischargedAt = i % 2 === 0 ? new Date(start + ((i * 7919 * hour) % span)) : null;
      const patient = await create(
        app,
        '/patients',
        buildPatient(area.id, { dischargedAt: dischargedAt?.toISOString() ?? null }),
      );
      patients.push({ id: patient.id, dischargedAt });
    }

    const rows = fc.sample(fc.array(drawn, { minLength: 600, maxLength: 600 }), {
      seed: 20251201,
      numRuns: 1,
    })[0];
    if (!rows) throw new Error('no sample');
    const inserted = rows.map((d) => {
      const requestedAt = new Date(d.requestedAt);
      const offered =
        d.offerAfterHours === null ? null : new Date(d.requestedAt + d.offerAfterHours * hour);
      const status = offered === null && d.status !== 'cancelled' ? 'requested' : d.status;
      return {
        id: uuidv7(),
        patient_id: patients[d.patient]?.id ?? '',
        clinician_id: d.with === 'outside' ? null : clinicianOf[d.with],
        provider_id: d.with === 'outside' ? provider : null,
        kind: d.kind,
        urgency: d.urgent ? 'urgent' : 'non_urgent',
        prior_authorization: d.priorAuthorization,
        requested_at: requestedAt,
        first_offered_at: offered,
        starts_at: offered,
        status,
        cancelled_by: status === 'cancelled' ? d.cancelledBy : null,
        interval_override_note: d.note,
        discipline: d.with === 'outside' ? 'lcsw' : d.with,
      };
    });
    await context.db
      .insertInto('appointment')
      .values(inserted.map(({ discipline: _discipline, ...row }) => row))
      .execute();

    const calendar = await currentCalendar(context.db, tz, now);
    const verdicts = await requestVerdicts(
      context.db,
      { from: new Date(start), to: new Date(start + span + 1) },
      now,
      tz,
    );
    const sqlOf = new Map(
      verdicts.map((v) => [`${v.appointmentId ?? v.patientId}|${v.standard}`, v]),
    );

    let compared = 0;
    const statuses = new Set<string>();
    for (const row of inserted) {
      if (row.kind === 'group') continue;
      const prior = inserted
        .filter(
          (x) =>
            x.patient_id === row.patient_id &&
            x.status === 'attended' &&
            x.starts_at !== null &&
            x.starts_at < row.requested_at,
        )
        .reduce<Date | null>(
          (latest, x) =>
            latest === null || (x.starts_at ?? latest) > latest ? x.starts_at : latest,
          null,
        );
      const request: AccessRequest = {
        kind: row.kind,
        urgency: row.urgency as 'urgent' | 'non_urgent',
        priorAuthorization: row.prior_authorization,
        discipline: row.discipline,
        requestedAt: row.requested_at,
        priorAppointmentAt: prior,
        offers:
          row.first_offered_at === null
            ? []
            : [{ madeAt: row.requested_at, startsAt: row.first_offered_at }],
        intervalOverrideNote: row.interval_override_note,
        cancellation:
          row.cancelled_by === null ? null : { by: row.cancelled_by, at: row.requested_at },
        patientDeclinedAt: null,
      };
      const standard = standardFor(request);
      const found = standard === null ? undefined : sqlOf.get(`${row.id}|${standard}`);
      if (standard === null) {
        expect(verdicts.filter((v) => v.appointmentId === row.id)).toEqual([]);
        continue;
      }
      const expected = evaluateAccess(request, standard, calendar, now);
      expect({ id: row.id, standard, status: found?.status }).toEqual({
        id: row.id,
        standard,
        status: expected.status,
      });
      if (expected.status !== 'excepted')
        expect(found?.deadline.toISOString()).toBe(expected.deadline.toISOString());
      statuses.add(`${standard}:${expected.status}`);
      compared++;
    }

    for (const patient of patients) {
      if (patient.dischargedAt === null) continue;
      const visits = inserted
        .filter((x) => x.patient_id === patient.id && x.status === 'attended' && x.starts_at)
        .map((x) => x.starts_at as Date);
      for (const days of [7, 30] as const) {
        const expected = evaluateDischargeFollowUp(
          { kind: 'discharge_follow_up', dischargedAt: patient.dischargedAt, visits },
          days,
          tz,
          now,
        );
        const found = sqlOf.get(`${patient.id}|fuh_${days}_days`);
        expect(found?.status).toBe(expected.status);
        if (expected.status !== 'excepted')
          expect(found?.deadline.toISOString()).toBe(expected.deadline.toISOString());
        compared++;
      }
    }
    // The sample reaches every standard and most verdicts, so the comparison means something.
    expect(compared).toBeGreaterThan(250);
    for (const kind of [
      'urgent_48_hours:met',
      'urgent_96_hours:missed',
      'initial_10_business_days:met',
      'initial_10_business_days:missed',
      'initial_15_business_days:met',
      'follow_up_10_business_days:met',
      'follow_up_10_business_days:missed',
      'follow_up_10_business_days:excepted',
    ])
      expect(statuses).toContain(kind);
  });
});

import { expect, it } from 'vitest';
import type { Context } from '../../context.ts';
import { uuidv7 } from '../../shared/ids.ts';
import {
  buildClinician,
  buildLocation,
  buildPatient,
  buildServiceArea,
  create,
} from '../../test/factories.ts';
import { actingAs, bearerFor, describeEachEngine, rowCounts } from '../../test/harness.ts';

/*
 * Timely-access rates through the API on the test clock (Monday 3 March 2025, 09:00 Los Angeles).
 * Four non-urgent initial requests to a therapist on Monday 3 February 2025: 10 business days run
 * to Tuesday 18 February, since Monday 17 February (Presidents' Day) is a state holiday. Offers on
 * the 14th and the 18th are met, the 19th is missed, and the fourth request has a documented
 * longer interval (excepted, shown apart).
 */

interface RateBody {
  threshold: number;
  items: {
    standard: string;
    group: string;
    met: number;
    missed: number;
    excepted: number;
    pending: number;
    denominator: number;
    rate: number | null;
    belowThreshold: boolean;
    definition: string;
  }[];
}

async function fourRequests(context: Context, patientId: string, clinicianId: string) {
  const requestedAt = new Date('2025-02-03T17:00:00.000Z');
  const offers = [
    '2025-02-14T18:00:00.000Z',
    '2025-02-18T18:00:00.000Z',
    '2025-02-19T18:00:00.000Z',
    '2025-02-28T18:00:00.000Z',
  ];
  await context.db
    .insertInto('appointment')
    .values(
      offers.map((offer, i) => ({
        id: uuidv7(),
        patient_id: patientId,
        clinician_id: clinicianId,
        kind: 'initial',
        urgency: 'non_urgent',
        requested_at: requestedAt,
        first_offered_at: new Date(offer),
        starts_at: new Date(offer),
        status: 'booked',
        interval_override_note: i === 3 ? 'a later start suits this treatment plan' : null,
      })),
    )
    .execute();
}

describeEachEngine('timely-access API', (use) => {
  it('gives numerators, denominators and rates, with holidays and exceptions counted right', async () => {
    const { app, context } = use();
    const area = await create(app, '/service-areas', buildServiceArea());
    const location = await create(app, '/locations', buildLocation(area.id));
    const clinician = await create(app, '/clinicians', buildClinician(location.id));
    const patient = await create(app, '/patients', buildPatient(area.id));
    await fourRequests(context, patient.id, clinician.id);

    const query = 'from=2025-02-01T00:00:00Z&to=2025-02-05T00:00:00Z';
    const byNetwork = await app.inject({
      method: 'GET',
      url: `/api/v1/compliance/timely-access?${query}&groupBy=network`,
    });
    expect(byNetwork.statusCode).toBe(200);
    const body = byNetwork.json<RateBody>();
    expect(body.threshold).toBe(0.7);
    const row = body.items.find(
      (r) => r.standard === 'initial_10_business_days' && r.group === 'in_network',
    );
    expect(row).toMatchObject({
      met: 2,
      missed: 1,
      excepted: 1,
      pending: 0,
      denominator: 3,
      belowThreshold: true,
    });
    expect(row?.rate).toBeCloseTo(2 / 3, 10);
    expect(row?.definition).toMatch(/10 business days/);

    // An operator closure on Wednesday the 12th moves the 10th business day to the 19th, so the
    // third offer is timely too.
    const closed = await app.inject({
      method: 'POST',
      url: '/api/v1/calendar/closures',
      payload: { day: '2025-02-12', reason: 'clinic closed for a flood' },
    });
    expect(closed.statusCode).toBe(201);
    const again = (
      await app.inject({
        method: 'GET',
        url: `/api/v1/compliance/timely-access?${query}&groupBy=service_area`,
      })
    ).json<RateBody>();
    expect(again.items.find((r) => r.group === area.id)).toMatchObject({
      met: 3,
      missed: 0,
      excepted: 1,
      rate: 1,
      belowThreshold: false,
    });
    const twice = await app.inject({
      method: 'POST',
      url: '/api/v1/calendar/closures',
      payload: { day: '2025-02-12', reason: 'again' },
    });
    expect(twice.statusCode).toBe(409);
    const reopened = await app.inject({
      method: 'DELETE',
      url: '/api/v1/calendar/closures/2025-02-12',
    });
    expect(reopened.statusCode).toBe(204);
    const gone = await app.inject({
      method: 'DELETE',
      url: '/api/v1/calendar/closures/2025-02-12',
    });
    expect(gone.statusCode).toBe(404);
  });

  it('lists the state holidays and refuses bad periods and callers', async () => {
    const { app, raw, context } = use();
    const calendar = await app.inject({ method: 'GET', url: '/api/v1/calendar' });
    expect(calendar.statusCode).toBe(200);
    const holidays = calendar.json<{ holidays: string[] }>().holidays;
    expect(holidays).toContain('2025-02-17');
    expect(holidays).not.toContain('2025-02-18');

    const before = await rowCounts(context);
    const reversed = await app.inject({
      method: 'GET',
      url: '/api/v1/compliance/timely-access?from=2025-03-01T00:00:00Z&to=2025-02-01T00:00:00Z',
    });
    expect(reversed.statusCode).toBe(400);
    expect(reversed.json()).toMatchObject({ error: { code: 'VALIDATION_FAILED' } });
    const badGroup = await app.inject({
      method: 'GET',
      url: '/api/v1/compliance/timely-access?from=2025-01-01T00:00:00Z&to=2025-02-01T00:00:00Z&groupBy=colour',
    });
    expect(badGroup.statusCode).toBe(400);
    expect({ ...(await rowCounts(context)), business_day: 0, calendar_state: 0 }).toEqual({
      ...before,
      business_day: 0,
      calendar_state: 0,
    });

    const auditor = actingAs(raw, await bearerFor(context, 'auditor'));
    const refused = await auditor.inject({
      method: 'GET',
      url: '/api/v1/compliance/timely-access?from=2025-01-01T00:00:00Z&to=2025-02-01T00:00:00Z',
    });
    expect(refused.statusCode).toBe(403);
    const coordinator = actingAs(raw, await bearerFor(context, 'coordinator'));
    const close = await coordinator.inject({
      method: 'POST',
      url: '/api/v1/calendar/closures',
      payload: { day: '2025-02-20', reason: 'x' },
    });
    expect(close.statusCode).toBe(403);
  });
});

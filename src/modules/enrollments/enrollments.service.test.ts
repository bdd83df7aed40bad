import type { FastifyInstance } from 'fastify';
import { expect, it } from 'vitest';
import type { Context } from '../../context.ts';
import type { Access } from '../audit/access.service.ts';
import {
  buildActor,
  buildClinician,
  buildGroup,
  buildLocation,
  buildPatient,
  buildServiceArea,
  create,
} from '../../test/factories.ts';
import {
  actingAs,
  auditEvents,
  bearerFor,
  describeEachEngine,
  labelOf,
} from '../../test/harness.ts';
import { createEnrollmentService } from './enrollments.service.ts';

/*
 * Rosters are patient data: every enrollment read or written is audited, and a clinician sees only
 * the rosters of the groups they facilitate.
 */

type Created = { id: string; version: number };

/** Two groups with a facilitator each, and one patient enrolled in both. */
async function twoRosters(app: FastifyInstance) {
  const area = await create(app, '/service-areas', buildServiceArea());
  const location = await create(app, '/locations', buildLocation(area.id));
  const mine = await create(app, '/clinicians', buildClinician(location.id));
  const theirs = await create(app, '/clinicians', buildClinician(location.id));
  const groupOf = (clinicianId: string) =>
    create(
      app,
      '/groups',
      buildGroup(location.id, { facilitators: [{ clinicianId, role: 'lead' }] }),
    );
  const myGroup = await groupOf(mine.id);
  const theirGroup = await groupOf(theirs.id);
  const patient = await create<{ serviceAreaId: string }>(app, '/patients', buildPatient(area.id));
  const enroll = (groupId: string) =>
    create<Created>(app, '/enrollments', {
      patientId: patient.id,
      groupId,
      startsOn: '2025-03-04',
    });
  return {
    clinicianId: mine.id,
    myGroup,
    theirGroup,
    patient,
    myEnrollment: await enroll(myGroup.id),
    theirEnrollment: await enroll(theirGroup.id),
  };
}

async function clinicianCaller(context: Context, app: FastifyInstance, clinicianId: string) {
  const authorization = await bearerFor(context, 'clinician', { clinicianId });
  return { caller: actingAs(app, authorization), label: await labelOf(context, authorization) };
}

const ids = (response: { json: () => unknown }) =>
  (response.json() as { items: { id: string }[] }).items.map((item) => item.id);

describeEachEngine('enrollment access and audit', (use) => {
  it('shows a clinician the roster of a group they facilitate, and audits every entry shown', async () => {
    const { context, app } = use();
    const { clinicianId, myGroup, myEnrollment, patient } = await twoRosters(app);
    const { caller, label } = await clinicianCaller(context, app, clinicianId);

    const response = await caller.inject(`/api/v1/enrollments?groupId=${myGroup.id}`);

    expect(response.statusCode).toBe(200);
    expect(ids(response)).toEqual([myEnrollment.id]);
    expect(await auditEvents(context, { actor: label })).toEqual([
      expect.objectContaining({
        action: 'enrollment.list',
        entity: 'enrollment',
        entity_ids: [myEnrollment.id],
        patient_ids: [patient.id],
        outcome: 'allowed',
        detail: { groupId: myGroup.id, filters: ['groupId'] },
      }),
    ]);
  });

  it('refuses a clinician the roster of another group, and a list of every roster', async () => {
    const { context, app } = use();
    const { clinicianId, theirGroup } = await twoRosters(app);
    const { caller, label } = await clinicianCaller(context, app, clinicianId);

    const other = await caller.inject(`/api/v1/enrollments?groupId=${theirGroup.id}`);
    const all = await caller.inject('/api/v1/enrollments');

    for (const response of [other, all]) {
      expect(response.statusCode).toBe(403);
      expect(response.json()).toMatchObject({
        error: { code: 'FORBIDDEN', details: { scope: 'facilitated-groups' } },
      });
    }
    expect(await auditEvents(context, { actor: label, outcome: 'allowed' })).toEqual([]);
    const denied = await auditEvents(context, { actor: label, outcome: 'denied' });
    expect(denied.map((event) => event.action)).toEqual(['enrollment.list', 'enrollment.list']);
    expect(denied[0]?.detail).toMatchObject({ groupId: theirGroup.id });
  });

  it('refuses a clinician one enrollment of a group they do not facilitate', async () => {
    const { context, app } = use();
    const { clinicianId, myEnrollment, theirEnrollment } = await twoRosters(app);
    const { caller } = await clinicianCaller(context, app, clinicianId);

    const own = await caller.inject(`/api/v1/enrollments/${myEnrollment.id}`);
    const other = await caller.inject(`/api/v1/enrollments/${theirEnrollment.id}`);

    expect(own.statusCode).toBe(200);
    expect(other.statusCode).toBe(403);
    expect(other.json()).toMatchObject({ error: { code: 'FORBIDDEN' } });
  });

  it('refuses a clinician user who is linked to no clinician record', async () => {
    const { context, app } = use();
    const { myGroup } = await twoRosters(app);
    const caller = actingAs(app, await bearerFor(context, 'clinician'));

    const response = await caller.inject(`/api/v1/enrollments?groupId=${myGroup.id}`);

    expect(response.statusCode).toBe(403);
  });

  it('leaves a coordinator unrestricted', async () => {
    const { context, app } = use();
    const { patient, myEnrollment, theirEnrollment } = await twoRosters(app);
    const caller = actingAs(app, await bearerFor(context, 'coordinator'));

    const response = await caller.inject(`/api/v1/enrollments?patientId=${patient.id}`);

    expect(response.statusCode).toBe(200);
    expect(ids(response)).toEqual([myEnrollment.id, theirEnrollment.id]);
  });

  it('audits a change of enrollment, and leaves no event for a refused enrollment', async () => {
    const { context, app } = use();
    const { myGroup, patient, myEnrollment } = await twoRosters(app);
    const authorization = await bearerFor(context, 'coordinator');
    const caller = actingAs(app, authorization);
    const label = await labelOf(context, authorization);

    const again = await caller.inject({
      method: 'POST',
      url: '/api/v1/enrollments',
      payload: { patientId: patient.id, groupId: myGroup.id, startsOn: '2025-03-04' },
    });
    const ended = await caller.inject({
      method: 'PATCH',
      url: `/api/v1/enrollments/${myEnrollment.id}`,
      payload: { version: 1, status: 'ended', endReason: 'Moved to Fresno with her sister' },
    });

    expect(again.json()).toMatchObject({ error: { code: 'ALREADY_ENROLLED' } });
    expect(ended.statusCode).toBe(200);
    const events = await auditEvents(context, { actor: label });
    expect(events).toEqual([
      expect.objectContaining({
        action: 'enrollment.update',
        entity_id: myEnrollment.id,
        patient_id: patient.id,
        outcome: 'allowed',
        detail: { groupId: myGroup.id, fields: ['endReason', 'status'] },
      }),
    ]);
    expect(JSON.stringify(events)).not.toContain('Fresno');
  });

  it('audits a new enrollment with its patient, in the same transaction', async () => {
    const { context, app } = use();
    const { myGroup, patient } = await twoRosters(app);
    const other = await create(app, '/patients', buildPatient(patient.serviceAreaId));
    const inTransaction: boolean[] = [];
    const failingAudit: Access = {
      actor: buildActor({ role: 'coordinator' }),
      require: () => Promise.resolve(),
      deny: (_record, error) => Promise.reject(error),
      record: (_records, trx) => {
        inTransaction.push(trx?.isTransaction === true);
        return Promise.reject(new Error('the audit trail is unavailable'));
      },
    };
    const failing = createEnrollmentService({ ...context, access: failingAudit });
    const input = {
      patientId: other.id,
      groupId: myGroup.id,
      status: 'active',
      startsOn: '2025-03-04',
    } as const;

    await expect(failing.create(input)).rejects.toThrow('the audit trail is unavailable');
    expect(inTransaction).toEqual([true]);
    // The failed audit took the enrollment with it: the patient can still be enrolled.
    const actor = buildActor({ role: 'coordinator' });
    const enrollment = await context.servicesFor(actor).enrollments.create(input);

    expect(await auditEvents(context, { patientId: other.id })).toEqual([
      expect.objectContaining({ action: 'patient.create' }),
      expect.objectContaining({
        action: 'enrollment.create',
        actor: actor.label,
        entity_id: enrollment.id,
        detail: { groupId: myGroup.id },
      }),
    ]);
  });

  it('refuses and audits in the service itself, whoever calls it', async () => {
    const { context, app } = use();
    const { myEnrollment, patient } = await twoRosters(app);
    const auditor = buildActor({ role: 'auditor' });
    const clinician = buildActor({ role: 'clinician' });

    await expect(
      context.servicesFor(auditor).enrollments.list({ patientId: patient.id }, { limit: 10 }),
    ).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(
      context.servicesFor(clinician).enrollments.get(myEnrollment.id),
    ).rejects.toMatchObject({ code: 'FORBIDDEN', details: { scope: 'facilitated-groups' } });

    expect(await auditEvents(context, { actor: auditor.label })).toEqual([
      expect.objectContaining({
        action: 'enrollment.list',
        patient_id: patient.id,
        outcome: 'denied',
      }),
    ]);
  });
});

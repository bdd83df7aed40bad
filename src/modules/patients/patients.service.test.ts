import type { FastifyInstance } from 'fastify';
import { expect, it } from 'vitest';
import type { Context } from '../../context.ts';
import type { Access } from '../audit/access.service.ts';
import { anonymous } from '../auth/policy.domain.ts';
import { buildActor, buildPatient, buildServiceArea, create } from '../../test/factories.ts';
import {
  actingAs,
  auditEvents,
  bearerFor,
  describeEachEngine,
  labelOf,
} from '../../test/harness.ts';
import { createPatientBody } from './patients.schemas.ts';
import { createPatientService } from './patients.service.ts';

/*
 * The patient service holds every caller to the policy and audits every patient it reads or
 * writes. The admin app (use().app) sets up the data; other callers act through bearer tokens.
 */

async function newPatient(app: FastifyInstance, overrides: Record<string, unknown> = {}) {
  const area = await create(app, '/service-areas', buildServiceArea());
  const body = buildPatient(area.id, overrides);
  return { areaId: area.id, body, patient: await create(app, '/patients', body) };
}

async function callerFor(
  context: Context,
  app: FastifyInstance,
  role: 'coordinator' | 'auditor' | 'compliance',
) {
  const authorization = await bearerFor(context, role);
  return { caller: actingAs(app, authorization), label: await labelOf(context, authorization) };
}

describeEachEngine('patient access and audit', (use) => {
  it('audits a coordinator’s read of a patient as allowed, under their name', async () => {
    const { context, app } = use();
    const { patient } = await newPatient(app);
    const { caller, label } = await callerFor(context, app, 'coordinator');

    const response = await caller.inject(`/api/v1/patients/${patient.id}`);

    expect(response.statusCode).toBe(200);
    const events = await auditEvents(context, { patientId: patient.id, actor: label });
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      action: 'patient.read',
      entity: 'patient',
      entity_id: patient.id,
      patient_id: patient.id,
      outcome: 'allowed',
    });
  });

  for (const role of ['auditor', 'compliance'] as const) {
    it(`refuses the ${role} role a patient record, and audits the refusal as denied`, async () => {
      const { context, app } = use();
      const { patient } = await newPatient(app);
      const { caller, label } = await callerFor(context, app, role);

      const response = await caller.inject(`/api/v1/patients/${patient.id}`);

      expect(response.statusCode).toBe(403);
      expect(response.json()).toMatchObject({ error: { code: 'FORBIDDEN' } });
      expect(await auditEvents(context, { patientId: patient.id, actor: label })).toEqual([
        expect.objectContaining({ outcome: 'denied', patient_id: patient.id }),
      ]);
    });
  }

  it('answers 401 UNAUTHENTICATED to a request without credentials', async () => {
    const { app } = use();
    const { patient } = await newPatient(app);

    const response = await app.inject({
      url: `/api/v1/patients/${patient.id}`,
      headers: { authorization: '' },
    });

    expect(response.statusCode).toBe(401);
    expect(response.json()).toMatchObject({ error: { code: 'UNAUTHENTICATED' } });
  });

  it('refuses and audits in the service itself, whoever calls it', async () => {
    const { context, app } = use();
    const { patient } = await newPatient(app);
    const auditor = buildActor({ role: 'auditor' });

    await expect(context.servicesFor(auditor).patients.get(patient.id)).rejects.toMatchObject({
      code: 'FORBIDDEN',
    });
    await expect(
      context.servicesFor(anonymous(null)).patients.get(patient.id),
    ).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });

    expect(await auditEvents(context, { patientId: patient.id, actor: auditor.label })).toEqual([
      expect.objectContaining({ action: 'patient.read', outcome: 'denied' }),
    ]);
  });

  it('audits a list with one event naming each patient returned and the filters, not their values', async () => {
    const { context, app } = use();
    const { areaId, patient: first } = await newPatient(app);
    const second = await create(app, '/patients', buildPatient(areaId, { language: 'es' }));
    const { caller, label } = await callerFor(context, app, 'coordinator');

    const response = await caller.inject(`/api/v1/patients?serviceAreaId=${areaId}&language=es`);

    expect(response.statusCode).toBe(200);
    expect(response.json<{ items: { id: string }[] }>().items.map((p) => p.id)).toEqual([
      second.id,
    ]);
    const events = await auditEvents(context, { actor: label, action: 'patient.list' });
    expect(
      events.map((event) => [event.patient_ids, event.entity_ids, event.outcome, event.detail]),
    ).toEqual([[[second.id], [second.id], 'allowed', { filters: ['language', 'serviceAreaId'] }]]);
    expect(await auditEvents(context, { patientId: second.id, actor: label })).toHaveLength(1);
    expect(await auditEvents(context, { patientId: first.id, actor: label })).toEqual([]);

    // A page that shows nobody records nobody.
    await caller.inject(`/api/v1/patients?serviceAreaId=${areaId}&language=fr`);
    expect(await auditEvents(context, { actor: label, action: 'patient.list' })).toHaveLength(1);
  });

  it('audits a create in its own transaction, and a refused create leaves no event', async () => {
    const { context, app } = use();
    const { caller, label } = await callerFor(context, app, 'coordinator');
    const area = await create(app, '/service-areas', buildServiceArea());
    const body = buildPatient(area.id);

    const created = await create<{ id: string }>(caller, '/patients', body);
    const duplicate = await caller.inject({
      method: 'POST',
      url: '/api/v1/patients',
      payload: body,
    });

    expect(duplicate.json()).toMatchObject({ error: { code: 'DUPLICATE' } });
    expect(await auditEvents(context, { actor: label, action: 'patient.create' })).toEqual([
      expect.objectContaining({
        patient_id: created.id,
        entity_id: created.id,
        outcome: 'allowed',
      }),
    ]);
  });

  it('creates no patient when its audit event cannot be written', async () => {
    const { context, app } = use();
    const area = await create(app, '/service-areas', buildServiceArea());
    const body = createPatientBody.parse(buildPatient(area.id));
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
    const service = createPatientService({ ...context, access: failingAudit });

    await expect(service.create(body)).rejects.toThrow('the audit trail is unavailable');

    expect(inTransaction).toEqual([true]);
    const written = await context.db
      .selectFrom('patient')
      .select('id')
      .where('mrn', '=', body.mrn)
      .execute();
    expect(written).toEqual([]);
  });

  it('audits an update with the names of the changed fields, never their values', async () => {
    const { context, app } = use();
    const { patient, body } = await newPatient(app, {
      name: 'Graciela Montenegro-Ybarra',
      mrn: 'MRN-AUDIT-31',
      birthDate: '1990-11-02',
    });
    const { caller, label } = await callerFor(context, app, 'coordinator');

    const response = await caller.inject({
      method: 'PATCH',
      url: `/api/v1/patients/${patient.id}`,
      payload: { version: 1, name: 'Graciela Montenegro', risk: 'high' },
    });
    await caller.inject(`/api/v1/patients/${patient.id}`);
    await caller.inject(`/api/v1/patients?serviceAreaId=${body.serviceAreaId}`);

    expect(response.statusCode).toBe(200);
    const events = await auditEvents(context, { patientId: patient.id });
    expect(events.find((event) => event.action === 'patient.update')).toMatchObject({
      actor: label,
      outcome: 'allowed',
      detail: { fields: ['name', 'risk'] },
    });
    // Create, update, read and list: none of them wrote the patient's data into the trail.
    expect(events.map((event) => event.action)).toEqual([
      'patient.create',
      'patient.update',
      'patient.read',
      'patient.list',
    ]);
    const trail = JSON.stringify(events);
    for (const secret of ['Graciela', 'Montenegro', 'MRN-AUDIT-31', '1990-11-02'])
      expect(trail).not.toContain(secret);
  });
});

import type { Bundle, OperationOutcome, Patient } from '@medplum/fhirtypes';
import { expect, it } from 'vitest';
import { buildPatient, buildServiceArea, create } from '../../test/factories.ts';
import { actingAs, auditEvents, bearerFor, describeEachEngine } from '../../test/harness.ts';
import { systems } from './fhir.domain.ts';

describeEachEngine('FHIR endpoint', (use) => {
  it('serves a CapabilityStatement to anyone, as FHIR JSON', async () => {
    const { raw } = use();
    const response = await raw.inject({ method: 'GET', url: '/fhir/R4/metadata' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^application\/fhir\+json/);
    const statement = response.json<{
      resourceType: string;
      fhirVersion: string;
      rest: { resource: { type: string }[] }[];
    }>();
    expect(statement.resourceType).toBe('CapabilityStatement');
    expect(statement.fhirVersion).toBe('4.0.1');
    expect(statement.rest[0]?.resource.map((r) => r.type)).toContain('Patient');
  });

  it('reads and searches patients with paging links, and audits each patient', async () => {
    const { app, context } = use();
    const area = await create(app, '/service-areas', buildServiceArea());
    const ids: string[] = [];
    for (let i = 0; i < 3; i++)
      ids.push((await create(app, '/patients', buildPatient(area.id))).id);

    const read = await app.inject({ method: 'GET', url: `/fhir/R4/Patient/${ids[0] ?? ''}` });
    expect(read.statusCode).toBe(200);
    const patient = read.json<Patient>();
    expect(patient.identifier?.[0]).toEqual({
      system: systems.uri,
      value: `urn:uuid:${ids[0] ?? ''}`,
    });
    expect(patient.managingOrganization?.reference).toBe(`Organization/${area.id}`);

    const first = await app.inject({
      method: 'GET',
      url: `/fhir/R4/Patient?organization=${area.id}&_count=2`,
    });
    expect(first.statusCode).toBe(200);
    const bundle = first.json<Bundle>();
    expect(bundle.entry?.map((e) => e.resource?.id)).toEqual(ids.slice(0, 2));
    const next = bundle.link?.find((l) => l.relation === 'next')?.url ?? '';
    const second = await app.inject({
      method: 'GET',
      url: new URL(next).pathname + new URL(next).search,
    });
    expect(second.json<Bundle>().entry?.map((e) => e.resource?.id)).toEqual(ids.slice(2));
    expect(second.json<Bundle>().link?.some((l) => l.relation === 'next')).toBe(false);

    // One event for the first page, naming both of its patients.
    const audited = await auditEvents(context, { patientId: ids[0] ?? '', action: 'fhir.search' });
    expect(audited.map((e) => [e.entity_ids, e.patient_ids])).toEqual([
      [ids.slice(0, 2), ids.slice(0, 2)],
    ]);
  });

  it('answers errors as OperationOutcome with the stable code', async () => {
    const { app, raw } = use();
    const unknown = await app.inject({ method: 'GET', url: '/fhir/R4/Patient?nickname=x' });
    expect(unknown.statusCode).toBe(400);
    const outcome = unknown.json<OperationOutcome>();
    expect(outcome.resourceType).toBe('OperationOutcome');
    expect(outcome.issue[0]?.details?.coding?.[0]?.code).toBe('VALIDATION_FAILED');

    const nobody = await raw.inject({ method: 'GET', url: '/fhir/R4/Patient' });
    expect(nobody.statusCode).toBe(401);
    expect(nobody.json<OperationOutcome>().issue[0]?.code).toBe('login');

    const auditor = actingAs(raw, await bearerFor(use().context, 'auditor'));
    const forbidden = await auditor.inject({ method: 'GET', url: '/fhir/R4/Patient' });
    expect(forbidden.statusCode).toBe(403);

    const missing = await app.inject({
      method: 'GET',
      url: '/fhir/R4/Patient/0190f0a0-0000-7000-8000-000000000000',
    });
    expect(missing.statusCode).toBe(404);
    expect(missing.json<OperationOutcome>().issue[0]?.code).toBe('not-found');

    const byRecord = await app.inject({
      method: 'GET',
      url: `/fhir/R4/Patient?identifier=${encodeURIComponent(systems.mrn)}|X`,
    });
    expect(byRecord.statusCode).toBe(400);
  });
});

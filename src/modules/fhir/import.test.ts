import { readFileSync } from 'node:fs';
import type { Bundle, OperationOutcome, Patient } from '@medplum/fhirtypes';
import { expect, it } from 'vitest';
import { buildLocation, buildServiceArea, create } from '../../test/factories.ts';
import { codeSystem } from './fhir.domain.ts';
import { actingAs, bearerFor, describeEachEngine, rowCounts } from '../../test/harness.ts';

const synthea = JSON.parse(
  readFileSync(new URL('./fixtures/synthea-patient-bundle.json', import.meta.url), 'utf8'),
) as Bundle;
const syntheaId = '1f9d2a56-8f73-4c3a-9a0e-3f1b2f6e7a11';

const post = (payload: unknown) => ({
  method: 'POST' as const,
  url: '/fhir/R4',
  headers: { 'content-type': 'application/fhir+json' },
  payload: JSON.stringify(payload),
});

describeEachEngine('FHIR import', (use) => {
  it('takes the patient of a Synthea bundle, reports everything else, and changes nothing the second time', async () => {
    const { app, context } = use();
    const near = await create(app, '/service-areas', buildServiceArea({ lat: 34.17, lon: -118.6 }));
    await create(app, '/service-areas', buildServiceArea({ lat: 37.77, lon: -122.42 }));

    const first = await app.inject(post(synthea));
    expect(first.statusCode).toBe(200);
    const response = first.json<Bundle>();
    expect(response.type).toBe('transaction-response');
    const [patientEntry, ...others] = response.entry ?? [];
    expect(patientEntry?.response?.status).toBe('201 Created');
    const unused = patientEntry?.response?.outcome?.issue.map((i) => i.expression?.[0]) ?? [];
    expect(unused).toEqual(
      expect.arrayContaining([
        'Patient.gender',
        'Patient.telecom',
        'Patient.maritalStatus',
        'Patient.address.line',
        'Patient.name[1]',
        "Patient.extension('http://hl7.org/fhir/us/core/StructureDefinition/us-core-race')",
      ]),
    );
    expect(others).toHaveLength(12);
    for (const entry of others) {
      expect(entry.response?.outcome?.issue[0]?.details?.coding?.[0]?.code).toBe('TYPE_NOT_USED');
    }

    const id = (patientEntry?.response?.location ?? '').split('/')[1] ?? '';
    const row = await context.db
      .selectFrom('patient')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({
      id: syntheaId,
      name: 'María José Gutiérrez',
      birth_date: '1994-02-11',
      language: 'es',
      service_area_id: near.id,
      version: 1,
    });
    expect(row.mrn).toMatch(/^[A-Z0-9-]{4,20}$/);

    const before = await rowCounts(context);
    const again = await app.inject(post(synthea));
    expect(again.statusCode).toBe(200);
    expect(again.json<Bundle>().entry?.[0]?.response?.status).toBe('200 OK');
    expect(await rowCounts(context)).toEqual({
      ...before,
      audit_event: (before.audit_event ?? 0) + 1,
    });
    const reread = await context.db
      .selectFrom('patient')
      .select('version')
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(reread.version).toBe(1);

    // Found again by the identifier the EHR gave it, by POST so the number stays out of URLs.
    const found = await app.inject({
      method: 'POST',
      url: '/fhir/R4/Patient/_search',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: `identifier=${encodeURIComponent(`http://hl7.org/fhir/sid/us-ssn|999-41-7286`)}`,
    });
    expect(found.statusCode).toBe(200);
    expect(found.json<Bundle>().entry?.map((e) => e.resource?.id)).toEqual([id]);
    const read = await app.inject({ method: 'GET', url: `/fhir/R4/Patient/${id}` });
    expect(read.json<Patient>().identifier?.map((i) => i.system)).toContain(
      'http://hl7.org/fhir/sid/us-ssn',
    );
  });

  it('refuses a transaction with a bad entry whole, and takes a batch entry by entry', async () => {
    const { app, context } = use();
    const area = await create(app, '/service-areas', buildServiceArea());
    const good = {
      resourceType: 'Patient',
      identifier: [{ system: 'https://continuity.health/fhir/sid/mrn', value: 'IMP-GOOD-1' }],
      name: [{ text: 'Good Entry' }],
      birthDate: '1990-01-01',
      managingOrganization: { reference: `Organization/${area.id}` },
      address: [
        {
          extension: [
            {
              url: 'http://hl7.org/fhir/StructureDefinition/geolocation',
              extension: [
                { url: 'latitude', valueDecimal: 34 },
                { url: 'longitude', valueDecimal: -118 },
              ],
            },
          ],
        },
      ],
    };
    const bad = { resourceType: 'Patient', name: [{ text: 'No Birth Date' }] };
    const before = await rowCounts(context);
    const transaction = await app.inject(
      post({
        resourceType: 'Bundle',
        type: 'transaction',
        entry: [{ resource: good }, { resource: bad }],
      }),
    );
    expect(transaction.statusCode).toBe(422);
    const outcome = transaction.json<OperationOutcome>();
    expect(outcome.issue.map((i) => i.expression?.[0])).toEqual(
      expect.arrayContaining([
        'Bundle.entry[1].resource.identifier',
        'Bundle.entry[1].resource.birthDate',
      ]),
    );
    expect(JSON.stringify(outcome)).not.toContain('No Birth Date');
    const after = await rowCounts(context);
    expect(after.patient).toBe(before.patient);

    const batch = await app.inject(
      post({
        resourceType: 'Bundle',
        type: 'batch',
        entry: [{ resource: good }, { resource: bad }],
      }),
    );
    expect(batch.statusCode).toBe(200);
    expect(batch.json<Bundle>().entry?.map((e) => e.response?.status)).toEqual([
      '201 Created',
      '422 Unprocessable Entity',
    ]);
    expect((await rowCounts(context)).patient).toBe((before.patient ?? 0) + 1);
  });

  it('files a role under its clinician, and says when a new Practitioner comes without one', async () => {
    const { app } = use();
    const area = await create(app, '/service-areas', buildServiceArea());
    const location = await create(app, '/locations', buildLocation(area.id));
    const practitioner = {
      resourceType: 'Practitioner',
      identifier: [
        { system: 'http://hl7.org/fhir/sid/us-npi', value: '1993000017' },
        { system: 'urn:ehr:staff', value: 'S-17' },
      ],
      name: [{ text: 'Imported Clinician' }],
    };
    const role = {
      resourceType: 'PractitionerRole',
      identifier: [{ system: 'urn:ehr:role', value: 'R-17' }],
      practitioner: { reference: 'urn:uuid:0b7e6c8e-2b8a-4c55-9d1e-0f7c3a1d9e17' },
      location: [{ reference: `Location/${location.id}` }],
      code: [{ coding: [{ system: codeSystem('discipline'), code: 'lcsw' }] }],
    };
    const imported = await app.inject(
      post({
        resourceType: 'Bundle',
        type: 'transaction',
        entry: [
          { fullUrl: 'urn:uuid:0b7e6c8e-2b8a-4c55-9d1e-0f7c3a1d9e17', resource: practitioner },
          { resource: role },
        ],
      }),
    );
    expect(imported.statusCode).toBe(200);
    const [practitionerAt, roleAt] =
      imported.json<Bundle>().entry?.map((e) => e.response?.location) ?? [];
    const clinicianId = roleAt?.split('/')[1] ?? '';
    expect(practitionerAt).toBe(`Practitioner/${clinicianId}`);
    const byRole = await app.inject({
      method: 'GET',
      url: `/fhir/R4/PractitionerRole?identifier=urn:ehr:role|R-17`,
    });
    expect(byRole.json<Bundle>().entry?.map((e) => e.resource?.id)).toEqual([clinicianId]);
    expect((await app.inject({ method: 'GET', url: `/fhir/R4/${roleAt ?? ''}` })).statusCode).toBe(
      200,
    );

    const alone = await app.inject(
      post({
        resourceType: 'Bundle',
        type: 'transaction',
        entry: [
          {
            resource: {
              ...practitioner,
              identifier: [{ system: 'http://hl7.org/fhir/sid/us-npi', value: '1993000025' }],
            },
          },
        ],
      }),
    );
    expect(
      alone.json<Bundle>().entry?.[0]?.response?.outcome?.issue[0]?.details?.coding?.[0]?.code,
    ).toBe('NEEDS_ROLE');
    const none = await app.inject({
      method: 'GET',
      url: '/fhir/R4/Practitioner?identifier=http://hl7.org/fhir/sid/us-npi|1993000025',
    });
    expect(none.json<Bundle>().entry ?? []).toEqual([]);
  });

  it('needs fhir:import, and a Bundle', async () => {
    const { raw, app, context } = use();
    const coordinator = actingAs(raw, await bearerFor(context, 'coordinator'));
    const refused = await coordinator.inject(post(synthea));
    expect(refused.statusCode).toBe(403);
    const notBundle = await app.inject(post({ resourceType: 'Patient' }));
    expect(notBundle.statusCode).toBe(400);
    expect(notBundle.json<OperationOutcome>().issue[0]?.details?.coding?.[0]?.code).toBe(
      'VALIDATION_FAILED',
    );
    const notJson = await app.inject({ ...post({}), payload: '{"resourceType": "Bun' });
    expect(notJson.statusCode).toBe(400);
  });
});

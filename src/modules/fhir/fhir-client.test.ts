import { randomUUID } from 'node:crypto';
import type { Bundle, CapabilityStatement, OperationOutcome, Patient } from '@medplum/fhirtypes';
import type { FastifyInstance } from 'fastify';
import { Client } from 'fhir-kit-client';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { buildApp } from '../../http/app.ts';
import { validateResource } from '../../test/fhir-validate.ts';
import { buildPatient, buildServiceArea, create } from '../../test/factories.ts';
import { bearerFor, describeEachEngine } from '../../test/harness.ts';
import { systems } from './fhir.domain.ts';

/*
 * The endpoint as an independent FHIR client sees it (fhir-kit-client, over real HTTP): the
 * CapabilityStatement, paging by the `next` links it gives, a read, and a transaction Bundle.
 */

/** fhir-kit-client types resources loosely: these are the R4 types its answers hold. */
const as = <T>(resource: Promise<unknown>): Promise<T> => resource as Promise<T>;
type PagedBundle = Parameters<Client['nextPage']>[0]['bundle'];
type SentBundle = Parameters<Client['transaction']>[0]['body'];

/** What fhir-kit-client throws for an HTTP error. */
async function failure(promise: Promise<unknown>): Promise<{ status: number; data: unknown }> {
  try {
    await promise;
  } catch (error) {
    const response = (error as { response?: { status: number; data: unknown } }).response;
    if (response) return response;
    throw error;
  }
  throw new Error('expected the request to fail');
}

describeEachEngine('FHIR R4 through fhir-kit-client', (use) => {
  let server: FastifyInstance | undefined;
  let client: Client;
  let baseUrl = '';
  let serviceAreaId = '';

  beforeAll(async () => {
    const { context, app } = use();
    server = await buildApp(context, { logger: false });
    const address = await server.listen({ host: '127.0.0.1', port: 0 });
    baseUrl = `${address}/fhir/R4`;
    client = new Client({
      baseUrl,
      customHeaders: { Authorization: await bearerFor(context, 'admin') },
    });
    serviceAreaId = (await create(app, '/service-areas', buildServiceArea())).id;
    for (let i = 0; i < 7; i++) await create(app, '/patients', buildPatient(serviceAreaId));
  });

  afterAll(async () => {
    await server?.close();
  });

  it('reads the CapabilityStatement', async () => {
    const capability = await as<CapabilityStatement>(client.capabilityStatement());
    expect(capability).toMatchObject({ resourceType: 'CapabilityStatement', fhirVersion: '4.0.1' });
    const types = capability.rest?.[0]?.resource?.map((r) => r.type) ?? [];
    expect(types).toEqual(
      expect.arrayContaining(['Patient', 'ServiceRequest', 'Task', 'AuditEvent']),
    );
    expect(validateResource(capability)).toEqual([]);
  });

  it('pages through every patient by the next links, then reads one', async () => {
    const { context } = use();
    const ids: string[] = [];
    let page = await as<Bundle>(
      client.search({ resourceType: 'Patient', searchParams: { _count: 2 } }),
    );
    let pages = 1;
    for (;;) {
      expect(page).toMatchObject({ resourceType: 'Bundle', type: 'searchset' });
      expect(page.entry?.length ?? 0).toBeLessThanOrEqual(2);
      ids.push(...(page.entry ?? []).map((e) => e.resource?.id ?? ''));
      const next = client.nextPage({ bundle: page as unknown as PagedBundle });
      if (!next) break;
      page = await as<Bundle>(next);
      pages += 1;
    }
    const rows = await context.db.selectFrom('patient').select('id').orderBy('id').execute();
    expect(rows.length).toBeGreaterThanOrEqual(7);
    expect(ids).toEqual(rows.map((r) => r.id));
    expect(pages).toBe(Math.ceil(rows.length / 2));

    const [first] = rows;
    if (!first) throw new Error('there are patients');
    const patient = await as<Patient>(client.read({ resourceType: 'Patient', id: first.id }));
    expect(patient).toMatchObject({ resourceType: 'Patient', id: first.id });
    expect(validateResource(patient)).toEqual([]);
  });

  it('answers errors as OperationOutcomes with their status', async () => {
    const missing = await failure(client.read({ resourceType: 'Patient', id: randomUUID() }));
    expect(missing.status).toBe(404);
    expect((missing.data as OperationOutcome).resourceType).toBe('OperationOutcome');
    const anonymous = new Client({ baseUrl });
    expect((await failure(anonymous.search({ resourceType: 'Patient' }))).status).toBe(401);
    expect(
      (await failure(client.search({ resourceType: 'Patient', searchParams: { nickname: 'x' } })))
        .status,
    ).toBe(400);
  });

  it('imports a transaction Bundle, and the same Bundle again changes nothing', async () => {
    const { context } = use();
    const id = randomUUID();
    const body: Bundle = {
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [
        {
          fullUrl: `urn:uuid:${id}`,
          resource: {
            resourceType: 'Patient',
            identifier: [
              { system: systems.uri, value: `urn:uuid:${id}` },
              { system: systems.mrn, value: `MRN-FKC-${id.slice(0, 8).toUpperCase()}` },
            ],
            name: [{ text: 'Ada Client' }],
            birthDate: '1990-07-01',
            communication: [{ language: { coding: [{ system: 'urn:ietf:bcp:47', code: 'es' }] } }],
            managingOrganization: { reference: `Organization/${serviceAreaId}` },
            address: [
              {
                extension: [
                  {
                    url: 'http://hl7.org/fhir/StructureDefinition/geolocation',
                    extension: [
                      { url: 'latitude', valueDecimal: 34.18 },
                      { url: 'longitude', valueDecimal: -118.59 },
                    ],
                  },
                ],
              },
            ],
          },
          request: { method: 'POST', url: 'Patient' },
        },
      ],
    };
    expect(validateResource(body)).toEqual([]);
    const response = await as<Bundle>(client.transaction({ body: body as unknown as SentBundle }));
    expect(response).toMatchObject({ resourceType: 'Bundle', type: 'transaction-response' });
    expect(response.entry?.[0]?.response?.status).toBe('201 Created');
    expect(validateResource(response)).toEqual([]);
    const row = await context.db
      .selectFrom('patient')
      .select(['id', 'language', 'service_area_id'])
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ id, language: 'es', service_area_id: serviceAreaId });
    const read = await as<Patient>(client.read({ resourceType: 'Patient', id }));
    expect(read.name?.[0]?.text).toBe('Ada Client');

    const again = await as<Bundle>(client.transaction({ body: body as unknown as SentBundle }));
    expect(again.entry?.[0]?.response?.status).toBe('200 OK');
  });
});

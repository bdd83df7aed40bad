import { randomUUID } from 'node:crypto';
import type {
  Bundle,
  HealthcareService,
  Location as FhirLocation,
  Organization,
  Practitioner,
  PractitionerRole,
  Resource,
} from '@medplum/fhirtypes';
import type { FastifyInstance } from 'fastify';
import { expect, it } from 'vitest';
import {
  buildClinician,
  buildLocation,
  buildOutsideProvider,
  buildServiceArea,
  create,
} from '../../test/factories.ts';
import { validateResource } from '../../test/fhir-validate.ts';
import {
  actingAs,
  bearerFor,
  createTestContext,
  describeEachEngine,
  testEngines,
} from '../../test/harness.ts';
import type { Db } from '../../db/database.ts';
import { cliActor } from '../auth/policy.domain.ts';
import { catalogueImporters, catalogueSources } from './catalogue.source.ts';
import { codeSystem, extensionUrl, systems, type ServedType } from './fhir.domain.ts';
import { referenceId } from './map.domain.ts';
import type { Importer, Resolver } from './sources.ts';

async function getBundle(app: FastifyInstance, url: string): Promise<Bundle> {
  const response = await app.inject({ method: 'GET', url });
  expect(response.statusCode, response.body).toBe(200);
  return response.json<Bundle>();
}

async function ids(app: FastifyInstance, url: string): Promise<string[]> {
  const bundle = await getBundle(app, url);
  for (const entry of bundle.entry ?? []) expect(validateResource(entry.resource)).toEqual([]);
  return (bundle.entry ?? []).map((e) => e.resource?.id ?? '');
}

function importer(type: ServedType): Importer {
  const found = catalogueImporters.find((i) => i.type === type);
  if (!found) throw new Error(`no importer for ${type}`);
  return found;
}

/** References as the import service resolves them: `Type/id`, and the Bundle's resources. */
function resolverOf(bundle: readonly Resource[] = []): Resolver {
  return {
    id: (ref) => {
      const inBundle = bundle.find((r) => `${r.resourceType}/${r.id ?? ''}` === ref);
      return inBundle?.id ?? referenceId(ref);
    },
    resource: (ref) => bundle.find((r) => `${r.resourceType}/${r.id ?? ''}` === ref),
  };
}

/** Every catalogue resource, type by type in import order, as search gives them. */
async function everything(db: Db): Promise<Resource[]> {
  const all: Resource[] = [];
  for (const source of catalogueSources) {
    let after: string | null = null;
    for (;;) {
      const search = { params: new Map(), count: 100, after };
      const found = await source.search(db, search, { patients: false, groupId: null });
      all.push(...found.slice(0, 100).map((f) => f.resource));
      if (found.length <= 100) break;
      after = found[99]?.key ?? null;
    }
  }
  return all;
}

describeEachEngine('FHIR catalogue', (use) => {
  it('reads and searches each catalogue type through the endpoint, as valid FHIR', async () => {
    const { app } = use();
    const area = await create(app, '/service-areas', buildServiceArea());
    const other = await create(app, '/service-areas', buildServiceArea());
    const locations: string[] = [];
    for (let i = 0; i < 3; i++)
      locations.push((await create(app, '/locations', buildLocation(area.id))).id);
    const elsewhere = await create(
      app,
      '/locations',
      buildLocation(other.id, { address: '77 Lankershim Blvd, North Hollywood, CA' }),
    );
    const clinician = await create<{ npi: string }>(
      app,
      '/clinicians',
      buildClinician(locations[0] ?? '', { languages: ['en', 'es'], specialties: ['ocd'] }),
    );
    const away = await create(app, '/clinicians', buildClinician(elsewhere.id));
    const virtual = await create(
      app,
      '/outside-providers',
      buildOutsideProvider({ modality: 'virtual' }),
    );
    const inPerson = await create(
      app,
      '/outside-providers',
      buildOutsideProvider({ modality: 'in_person', specialties: ['ocd'], accommodations: [] }),
    );

    const read = await app.inject({ method: 'GET', url: `/fhir/R4/Organization/${area.id}` });
    expect(read.statusCode).toBe(200);
    expect(validateResource(read.json())).toEqual([]);
    expect(read.json<Organization>().meta?.versionId).toBe('1');

    const byCode = `identifier=${encodeURIComponent(systems.serviceArea)}|${String(area.code)}`;
    expect(await ids(app, `/fhir/R4/Organization?${byCode}`)).toEqual([area.id]);
    expect(await ids(app, `/fhir/R4/Organization?identifier=urn:uuid:${other.id}`)).toEqual([
      other.id,
    ]);

    // Paging: two of the area's three locations, then the third.
    const first = await getBundle(app, `/fhir/R4/Location?organization=${area.id}&_count=2`);
    expect(first.entry?.map((e) => e.resource?.id)).toEqual(locations.slice(0, 2));
    const next = new URL(first.link?.find((l) => l.relation === 'next')?.url ?? '');
    expect(await ids(app, next.pathname + next.search)).toEqual(locations.slice(2));
    expect(await ids(app, '/fhir/R4/Location?address=lankershim')).toEqual([elsewhere.id]);

    const npi = `identifier=${encodeURIComponent(systems.npi)}|${clinician.npi}`;
    expect(await ids(app, `/fhir/R4/Practitioner?${npi}`)).toEqual([clinician.id]);
    expect(await ids(app, `/fhir/R4/PractitionerRole?${npi}`)).toEqual([clinician.id]);
    expect(await ids(app, `/fhir/R4/Practitioner?_id=${away.id}&communication=es`)).toEqual([]);
    expect(await ids(app, `/fhir/R4/Practitioner?_id=${clinician.id}&communication=es`)).toEqual([
      clinician.id,
    ]);
    expect(
      await ids(app, `/fhir/R4/PractitionerRole?organization=Organization/${other.id}`),
    ).toEqual([away.id]);
    expect(
      await ids(app, `/fhir/R4/PractitionerRole?location=${elsewhere.id}&active=true`),
    ).toEqual([away.id]);
    expect(
      await ids(app, `/fhir/R4/PractitionerRole?location=${elsewhere.id}&active=false`),
    ).toEqual([]);
    const ocd = `specialty=${encodeURIComponent(codeSystem('specialty'))}|ocd`;
    expect(await ids(app, `/fhir/R4/PractitionerRole?${ocd}&organization=${area.id}`)).toEqual([
      clinician.id,
    ]);
    const role = await app.inject({ method: 'GET', url: `/fhir/R4/PractitionerRole/${away.id}` });
    expect(role.json<PractitionerRole>().organization?.reference).toBe(`Organization/${other.id}`);

    const both = [virtual.id, inPerson.id].sort();
    expect(await ids(app, `/fhir/R4/HealthcareService?_id=${both.join(',')}`)).toEqual(both);
    expect(
      await ids(app, `/fhir/R4/HealthcareService?_id=${both.join(',')}&characteristic=in_person`),
    ).toEqual([inPerson.id]);
    expect(
      await ids(
        app,
        `/fhir/R4/HealthcareService?_id=${both.join(',')}&characteristic=baby_friendly`,
      ),
    ).toEqual([virtual.id]);
    expect(await ids(app, `/fhir/R4/HealthcareService?_id=${both.join(',')}&${ocd}`)).toEqual([
      inPerson.id,
    ]);
  });

  it('lets a clinician read the catalogue, and refuses an unknown parameter', async () => {
    const { raw, context, app } = use();
    const clinician = actingAs(raw, await bearerFor(context, 'clinician'));
    const listed = await clinician.inject({ method: 'GET', url: '/fhir/R4/HealthcareService' });
    expect(listed.statusCode).toBe(200);
    const unknown = await app.inject({ method: 'GET', url: '/fhir/R4/Location?near=1|2|3' });
    expect(unknown.statusCode).toBe(400);
  });

  it('imports each catalogue type once: created, then unchanged, then updated when edited', async () => {
    const { app, context } = use();
    const db = context.db;
    const twice = async (
      type: ServedType,
      resource: Resource,
      id: string,
      bundle: Resource[] = [],
    ) => {
      const outcomes: string[] = [];
      for (let i = 0; i < 2; i++) {
        const prepared = importer(type).prepare(resource, resolverOf(bundle));
        expect(prepared.problems).toEqual([]);
        const exists = outcomes.length > 0 && outcomes[0] !== 'unchanged';
        outcomes.push((await prepared.write(db, id, exists)).outcome);
      }
      return outcomes;
    };
    const once = async (
      type: ServedType,
      resource: Resource,
      id: string,
      bundle: Resource[] = [],
    ) => (await importer(type).prepare(resource, resolverOf(bundle)).write(db, id, true)).outcome;
    const version = async (type: string, id: string) => {
      const response = await app.inject({ method: 'GET', url: `/fhir/R4/${type}/${id}` });
      expect(response.statusCode).toBe(200);
      expect(validateResource(response.json())).toEqual([]);
      return response.json<Resource>().meta?.versionId;
    };

    const areaId = randomUUID();
    const organization: Organization = {
      resourceType: 'Organization',
      identifier: [{ system: systems.serviceArea, value: 'IMPORTED' }],
      name: 'Imported area',
      address: [
        {
          extension: [
            {
              url: 'http://hl7.org/fhir/StructureDefinition/geolocation',
              extension: [
                { url: 'latitude', valueDecimal: 34.2 },
                { url: 'longitude', valueDecimal: -118.5 },
              ],
            },
          ],
        },
      ],
    };
    expect(await twice('Organization', organization, areaId)).toEqual(['created', 'unchanged']);
    expect(await once('Organization', { ...organization, name: 'Renamed area' }, areaId)).toBe(
      'updated',
    );
    expect(await version('Organization', areaId)).toBe('2');

    const locationId = randomUUID();
    const location: FhirLocation = {
      resourceType: 'Location',
      name: 'Imported clinic',
      address: { text: '1 Import Way, Reseda, CA' },
      position: { latitude: 34.2, longitude: -118.53 },
      managingOrganization: { reference: `Organization/${areaId}` },
    };
    expect(await twice('Location', location, locationId)).toEqual(['created', 'unchanged']);
    expect(
      await once(
        'Location',
        { ...location, extension: [{ url: extensionUrl('accessible'), valueBoolean: false }] },
        locationId,
      ),
    ).toBe('updated');

    // A Practitioner alone creates nothing; its role creates the clinician under its id.
    const clinicianId = randomUUID();
    const practitioner: Practitioner = {
      resourceType: 'Practitioner',
      id: 'ehr-practitioner-1',
      identifier: [{ system: systems.npi, value: '1555555555' }],
      name: [{ given: ['Imported'], family: 'Clinician' }],
      communication: [{ coding: [{ system: 'urn:ietf:bcp:47', code: 'es' }] }],
    };
    expect(await twice('Practitioner', practitioner, clinicianId)).toEqual([
      'unchanged',
      'unchanged',
    ]);
    expect(await version('Practitioner', clinicianId).catch(() => 'none')).toBe('none');
    const role: PractitionerRole = {
      resourceType: 'PractitionerRole',
      practitioner: { reference: 'Practitioner/ehr-practitioner-1' },
      location: [{ reference: `Location/${locationId}` }],
      code: [{ coding: [{ system: codeSystem('discipline'), code: 'psychologist' }] }],
      extension: [{ url: extensionUrl('fte'), valueDecimal: 0.5 }],
    };
    const bundle = [{ ...practitioner, id: clinicianId }];
    const inBundle = { ...role, practitioner: { reference: `Practitioner/${clinicianId}` } };
    // Created under its practitioner's id, whatever id the role itself was given.
    const created = importer('PractitionerRole').prepare(inBundle, resolverOf(bundle));
    expect((await created.write(db, randomUUID(), false)).outcome).toBe('created');
    expect(await version('Practitioner', clinicianId)).toBe('1');
    expect(await once('PractitionerRole', inBundle, clinicianId, bundle)).toBe('unchanged');
    expect(await once('Practitioner', practitioner, clinicianId)).toBe('unchanged');
    expect(
      await once(
        'Practitioner',
        { ...practitioner, name: [{ text: 'Renamed Clinician' }] },
        clinicianId,
      ),
    ).toBe('updated');
    expect(
      await once(
        'PractitionerRole',
        { ...inBundle, active: false, notAvailable: [{ description: 'On leave' }] },
        clinicianId,
      ),
    ).toBe('updated');
    const read = await app.inject({
      method: 'GET',
      url: `/fhir/R4/PractitionerRole/${clinicianId}`,
    });
    expect(read.json<PractitionerRole>()).toMatchObject({
      active: false,
      notAvailable: [{ description: 'On leave' }],
      meta: { versionId: '3' },
    });

    const providerId = randomUUID();
    const service: HealthcareService = {
      resourceType: 'HealthcareService',
      name: 'Imported therapy',
      identifier: [{ system: systems.npi, value: '1666666666' }],
      characteristic: [{ coding: [{ system: codeSystem('modality'), code: 'virtual' }] }],
      extension: [
        {
          url: extensionUrl('position'),
          extension: [
            { url: 'latitude', valueDecimal: 34.1 },
            { url: 'longitude', valueDecimal: -118.4 },
          ],
        },
      ],
    };
    expect(await twice('HealthcareService', service, providerId)).toEqual(['created', 'unchanged']);
    expect(
      await once('HealthcareService', { ...service, name: 'Renamed therapy' }, providerId),
    ).toBe('updated');
    expect(await version('HealthcareService', providerId)).toBe('2');
  });

  it('refuses a role whose practitioner is neither in the Bundle nor known', async () => {
    const { context } = use();
    const prepared = importer('PractitionerRole').prepare(
      {
        resourceType: 'PractitionerRole',
        practitioner: { reference: 'Practitioner/nobody' },
        code: [{ coding: [{ system: codeSystem('discipline'), code: 'lcsw' }] }],
      } satisfies PractitionerRole,
      { id: () => undefined, resource: () => undefined },
    );
    expect(prepared.problems.map((p) => p.path)).toEqual([
      'PractitionerRole.practitioner',
      'PractitionerRole.location',
    ]);
    // Written anyway (a service that ignored the problems), it refuses rather than invent one.
    await expect(prepared.write(context.db, randomUUID(), false)).rejects.toMatchObject({
      code: 'UNKNOWN_REFERENCE',
    });
  });

  it('refuses a role that matches one clinician and names another as its practitioner', async () => {
    const { app, context } = use();
    const area = await create(app, '/service-areas', buildServiceArea());
    const place = await create(app, '/locations', buildLocation(area.id));
    const matched = await create(app, '/clinicians', buildClinician(place.id));
    const named = await create(app, '/clinicians', buildClinician(place.id));
    const prepared = importer('PractitionerRole').prepare(
      {
        resourceType: 'PractitionerRole',
        practitioner: { reference: `Practitioner/${named.id}` },
        location: [{ reference: `Location/${place.id}` }],
        code: [{ coding: [{ system: codeSystem('discipline'), code: 'lcsw' }] }],
        specialty: [
          { coding: [{ system: codeSystem('specialty'), code: 'perinatal_mood_anxiety' }] },
        ],
      } satisfies PractitionerRole,
      resolverOf(),
    );
    expect(prepared.problems).toEqual([]);
    await expect(prepared.write(context.db, matched.id, true)).rejects.toMatchObject({
      code: 'CONFLICT',
    });
    // Under an id no clinician holds (one the import gave the role), it is its practitioner's.
    expect((await prepared.write(context.db, randomUUID(), true)).outcome).toBe('unchanged');
  });

  it("round-trips the demo region's catalogue into an empty database unchanged", async () => {
    const { context } = use();
    await context
      .servicesFor(cliActor('test'))
      .seed.seed({ scale: 'demo', seed: 1, replace: true });
    const exported = await everything(context.db);
    expect(new Set(exported.map((r) => r.resourceType)).size).toBe(5);
    const resolver = resolverOf(exported);
    // Imported again where it came from, nothing changes.
    for (const resource of exported) {
      expect(validateResource(resource)).toEqual([]);
      const prepared = importer(resource.resourceType as ServedType).prepare(resource, resolver);
      expect(prepared.problems).toEqual([]);
      expect(prepared.unused).toEqual([]);
      expect((await prepared.write(context.db, resource.id ?? '', true)).outcome).toBe('unchanged');
    }
    // Into an empty database, it gives the same resources but for the server's metadata.
    // (The embedded engine, whichever engine the suite runs on: the import must not care.)
    const embedded = testEngines().find((engine) => engine.name === 'pglite');
    if (!embedded) throw new Error('The embedded engine is always there.');
    const empty = await createTestContext(embedded);
    try {
      for (const resource of exported) {
        const prepared = importer(resource.resourceType as ServedType).prepare(resource, resolver);
        await prepared.write(empty.db, resource.id ?? '', false);
      }
      const again = await everything(empty.db);
      const stripped = (list: Resource[]) => list.map((r) => ({ ...r, meta: undefined }));
      expect(stripped(again)).toEqual(stripped(exported));
    } finally {
      await empty.dispose();
    }
  });

  it('imports an EHR-style catalogue transaction through the endpoint, and the same one again changes nothing', async () => {
    const { app, context } = use();
    const ehr = (value: string) => ({ system: 'https://ehr.example.org/id', value });
    const geolocation = (lat: number, lon: number) => ({
      url: 'http://hl7.org/fhir/StructureDefinition/geolocation',
      extension: [
        { url: 'latitude', valueDecimal: lat },
        { url: 'longitude', valueDecimal: lon },
      ],
    });
    const entries: { fullUrl: string; resource: Resource }[] = [
      {
        fullUrl: 'urn:uuid:6f1c0d4e-0000-4000-8000-000000000001',
        resource: {
          resourceType: 'Organization',
          identifier: [{ system: systems.serviceArea, value: 'EHRAREA' }, ehr('ORG-1')],
          name: 'EHR area',
          telecom: [{ system: 'phone', value: '555-0100' }],
          address: [{ extension: [geolocation(34.2, -118.5)] }],
        } satisfies Organization,
      },
      {
        fullUrl: 'urn:uuid:6f1c0d4e-0000-4000-8000-000000000002',
        resource: {
          resourceType: 'Location',
          identifier: [ehr('LOC-1')],
          name: 'EHR clinic',
          address: { line: ['9 Topanga Canyon Blvd'], city: 'Canoga Park', state: 'CA' },
          position: { latitude: 34.2, longitude: -118.6 },
          managingOrganization: { reference: 'urn:uuid:6f1c0d4e-0000-4000-8000-000000000001' },
        } satisfies FhirLocation,
      },
      {
        fullUrl: 'urn:uuid:6f1c0d4e-0000-4000-8000-000000000003',
        resource: {
          resourceType: 'Practitioner',
          identifier: [{ system: systems.npi, value: '1777777777' }, ehr('PR-1')],
          name: [{ family: 'Nakamura', given: ['Keiko'] }],
          gender: 'female',
        } satisfies Practitioner,
      },
      {
        fullUrl: 'urn:uuid:6f1c0d4e-0000-4000-8000-000000000004',
        resource: {
          resourceType: 'PractitionerRole',
          identifier: [ehr('ROLE-1')],
          practitioner: { reference: 'urn:uuid:6f1c0d4e-0000-4000-8000-000000000003' },
          location: [{ reference: 'urn:uuid:6f1c0d4e-0000-4000-8000-000000000002' }],
          code: [{ coding: [{ system: codeSystem('discipline'), code: 'lmft' }] }],
          specialty: [{ coding: [{ system: codeSystem('specialty'), code: 'grief' }] }],
        } satisfies PractitionerRole,
      },
      {
        fullUrl: 'urn:uuid:6f1c0d4e-0000-4000-8000-000000000005',
        resource: {
          resourceType: 'HealthcareService',
          identifier: [ehr('HS-1')],
          name: 'EHR outside therapy',
          location: [{ reference: 'urn:uuid:6f1c0d4e-0000-4000-8000-000000000002' }],
          characteristic: [{ coding: [{ system: codeSystem('modality'), code: 'in_person' }] }],
        } satisfies HealthcareService,
      },
    ];
    const post = {
      method: 'POST' as const,
      url: '/fhir/R4',
      headers: { 'content-type': 'application/fhir+json' },
      payload: JSON.stringify({ resourceType: 'Bundle', type: 'transaction', entry: entries }),
    };
    const first = await app.inject(post);
    expect(first.statusCode, first.body).toBe(200);
    const statuses = (bundle: Bundle) => bundle.entry?.map((e) => e.response?.status);
    // The Practitioner alone writes nothing; its role creates the clinician.
    expect(statuses(first.json<Bundle>())).toEqual([
      '201 Created',
      '201 Created',
      '200 OK',
      '201 Created',
      '201 Created',
    ]);
    const unused = first
      .json<Bundle>()
      .entry?.flatMap((e) => e.response?.outcome?.issue.map((i) => i.expression?.[0]) ?? []);
    expect(unused).toEqual(expect.arrayContaining(['Organization.telecom', 'Practitioner.gender']));
    const clinician = await context.db
      .selectFrom('clinician')
      .selectAll()
      .where('npi', '=', '1777777777')
      .executeTakeFirstOrThrow();
    expect(clinician).toMatchObject({ name: 'Keiko Nakamura', discipline: 'lmft', version: 1 });
    const practitionerId = (first.json<Bundle>().entry?.[2]?.response?.location ?? '').split(
      '/',
    )[1];
    expect(practitionerId).toBe(clinician.id);

    const again = await app.inject(post);
    expect(again.statusCode, again.body).toBe(200);
    expect(statuses(again.json<Bundle>())).toEqual(Array(5).fill('200 OK'));
    const reread = await context.db
      .selectFrom('clinician')
      .select('version')
      .where('id', '=', clinician.id)
      .executeTakeFirstOrThrow();
    expect(reread.version).toBe(1);
    const place = await getBundle(
      app,
      `/fhir/R4/Location?identifier=${encodeURIComponent('https://ehr.example.org/id')}|LOC-1`,
    );
    expect(place.entry?.[0]?.resource).toMatchObject({
      address: { text: '9 Topanga Canyon Blvd, Canoga Park, CA' },
    });
    expect(place.entry?.[0]?.resource?.id).toBe(clinician.location_id);
    const byEhr = `identifier=${encodeURIComponent('https://ehr.example.org/id')}|PR-1`;
    expect(await ids(app, `/fhir/R4/Practitioner?${byEhr}`)).toEqual([clinician.id]);
  });
});

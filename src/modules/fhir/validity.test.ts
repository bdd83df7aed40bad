import type { AuditEvent as FhirAuditEvent, Bundle, Resource } from '@medplum/fhirtypes';
import type { FastifyInstance } from 'fastify';
import { describe, expect, it } from 'vitest';
import type { Context } from '../../context.ts';
import { validateResource } from '../../test/fhir-validate.ts';
import { describeEachEngine, testNow } from '../../test/harness.ts';
import { findChainBreak, genesisHash, type AuditEvent } from '../audit/audit.domain.ts';
import { sha256 } from '../audit/audit.repository.ts';
import { cliActor } from '../auth/policy.domain.ts';
import { actionCodeOf, auditEventFromFhir, auditEventToFhir } from './map-audit.domain.ts';
import { codeSystem, type ServedType } from './fhir.domain.ts';
import { sources, type ResourceSource } from './sources.ts';

describe('validateResource (the FHIR R4 JSON schema)', () => {
  it('accepts a valid resource', () => {
    expect(
      validateResource({
        resourceType: 'Patient',
        id: 'a1',
        birthDate: '1990-02-28',
        name: [{ text: 'A B', given: ['A'], family: 'B' }],
      }),
    ).toEqual([]);
  });

  it('names the path of a bad value and of an unknown element', () => {
    expect(validateResource({ resourceType: 'Patient', birthDate: 'soon', nickname: 'x' })).toEqual(
      [
        'Patient: unknown element nickname',
        expect.stringMatching(/^Patient\.birthDate: must match pattern/) as string,
      ],
    );
  });

  it('checks the resources inside a Bundle against their own type', () => {
    expect(
      validateResource({
        resourceType: 'Bundle',
        type: 'transaction',
        entry: [
          { resource: { resourceType: 'Patient', gender: 'x' } },
          { resource: { resourceType: 'Bot' } },
          {
            resource: {
              resourceType: 'Group',
              type: 'person',
              actual: true,
              member: [{ inactive: true }],
            },
          },
        ],
      }),
    ).toEqual([
      'Bundle.entry[0].resource.gender: must be one of male, female, other, unknown',
      'Bundle.entry[1].resource: value of tag "resourceType" must be in oneOf',
      'Bundle.entry[2].resource.member[0]: missing required element entity',
    ]);
  });

  it('requires the elements R4 requires, primitives included', () => {
    expect(validateResource({ resourceType: 'Task', intent: 'order' })).toEqual([
      'Task: missing required element status',
    ]);
    expect(
      validateResource({
        resourceType: 'Bundle',
        type: 'transaction',
        entry: [
          { resource: { resourceType: 'Basic', code: { text: 'x' } }, request: { method: 'POST' } },
        ],
      }),
    ).toEqual(['Bundle.entry[0].request: missing required element url']);
    expect(
      validateResource({ resourceType: 'Patient', extension: [{ valueString: 'x' }] }),
    ).toEqual(['Patient.extension[0]: missing required element url']);
    // A primitive given by its extension alone is present.
    expect(
      validateResource({
        resourceType: 'Task',
        intent: 'order',
        _status: { extension: [{ url: 'https://x.test/e', valueBoolean: true }] },
      }),
    ).toEqual([]);
  });

  it('refuses empty values, as FHIR JSON does', () => {
    expect(
      validateResource({
        resourceType: 'Patient',
        name: [{ given: [] }],
        identifier: [{}],
        gender: null,
        extension: [{ url: 'https://x.test/e', valueString: '' }],
      }),
    ).toEqual([
      'Patient.name[0].given: an empty array is not allowed',
      'Patient.identifier[0]: an empty object is not allowed',
      'Patient.gender: null is not allowed',
      'Patient.extension[0].valueString: an empty string is not allowed',
      expect.stringMatching(/^Patient\.extension\[0\]\.valueString: must match pattern/) as string,
      'Patient.gender: must be one of male, female, other, unknown',
    ]);
  });

  it('refuses what is not an R4 resource', () => {
    expect(validateResource([])).toEqual(['(root): a resource is a JSON object']);
    expect(validateResource({ id: 'x' })).toEqual(['(root): missing resourceType']);
    expect(validateResource({ resourceType: 'Project' })).toEqual([
      '(root): Project is not an R4 resource type',
    ]);
    expect(validateResource({ resourceType: 'Patient', meta: { project: 'x' } })).toEqual([
      'Patient.meta: unknown element project',
    ]);
  });
});

/** Every resource a source serves, page by page as search and export read them. */
async function everything(context: Context, source: ResourceSource): Promise<Resource[]> {
  const resources: Resource[] = [];
  let after: string | null = null;
  for (;;) {
    const found = await source.search(
      context.db,
      { params: new Map(), count: 1000, after },
      { patients: true, groupId: null },
    );
    const page = found.slice(0, 1000);
    resources.push(...page.map((f) => f.resource));
    const last = page.at(-1);
    if (found.length <= 1000 || !last) return resources;
    after = last.key;
  }
}

async function post<T>(app: FastifyInstance, url: string, payload?: object): Promise<T> {
  const response = await app.inject({ method: 'POST', url: `/api/v1${url}`, payload });
  if (response.statusCode >= 300)
    throw new Error(`POST ${url} answered ${response.statusCode}: ${response.body}`);
  return response.json<T>();
}

/**
 * The least each type must hold in the disrupted demo region, so a source that quietly serves
 * nothing fails. Types not listed (or not served yet) only have to validate.
 */
const floors: Partial<Record<ServedType, number>> = {
  Organization: 2,
  Location: 8,
  Practitioner: 50,
  PractitionerRole: 50,
  HealthcareService: 30,
  Patient: 1400,
  Group: 70,
  Appointment: 5000,
  Encounter: 5000,
  EpisodeOfCare: 700,
  ServiceRequest: 20,
  Task: 20,
  AuditEvent: 100,
};

/** Moves one referral along the given statuses through /api/v1, as a coordinator would. */
async function walk(
  app: FastifyInstance,
  id: string,
  steps: readonly { to: string; declineReason?: string; firstAppointmentAt?: string }[],
) {
  let version = (await app.inject({ url: `/api/v1/referrals/${id}` })).json<{ version: number }>()
    .version;
  for (const step of steps) {
    const moved = await post<{ referral: { version: number } }>(
      app,
      `/referrals/${id}/transitions`,
      { version, ...step },
    );
    version = moved.referral.version;
  }
}

describeEachEngine('every served resource of the demo region is valid R4', (use) => {
  it(
    'validates each type, after a disruption, a re-match and referrals along their loop',
    { timeout: 180_000 },
    async () => {
      const { app, context } = use();
      await context
        .servicesFor(cliActor('test'))
        .seed.seed({ scale: 'demo', seed: 1, replace: false });
      const drafts = await app.inject({ url: '/api/v1/disruptions?status=draft' });
      const [strike] = drafts.json<{ items: { id: string }[] }>().items;
      if (!strike) throw new Error('the demo seed has a draft disruption');
      await post(app, `/disruptions/${strike.id}/apply`);
      const run = await post<{ id: string }>(app, `/disruptions/${strike.id}/rematch`);
      await post(app, `/match-runs/${run.id}/decisions`, { decision: 'approved' });
      await post(app, `/match-runs/${run.id}/commit`);

      const referrals = await context.db
        .selectFrom('referral')
        .select('id')
        .orderBy('id')
        .execute();
      const [a, b, c, d] = referrals.map((r) => r.id);
      if (!a || !b || !c || !d) throw new Error('the re-match commits at least four referrals');
      const visit = new Date(Date.parse(testNow) + 7 * 86_400_000).toISOString();
      await walk(app, a, [
        { to: 'sent' },
        { to: 'accepted' },
        { to: 'scheduled', firstAppointmentAt: visit },
      ]);
      await walk(app, b, [{ to: 'sent' }, { to: 'declined', declineReason: 'no_capacity' }]);
      await walk(app, c, [{ to: 'cancelled' }]);
      await walk(app, d, [{ to: 'sent' }]);

      const counts: Record<string, number> = {};
      const problems: string[] = [];
      for (const [type, source] of sources) {
        const resources = await everything(context, source);
        counts[type] = resources.length;
        for (const resource of resources) {
          for (const problem of validateResource(resource))
            problems.push(`${type}/${resource.id ?? '?'}: ${problem}`);
        }
      }
      // The searchset Bundles the endpoint wraps them in, a page of each type.
      for (const type of sources.keys()) {
        const response = await app.inject({ url: `/fhir/R4/${type}?_count=20` });
        expect(response.statusCode, type).toBe(200);
        const bundle = response.json<Bundle>();
        expect(
          bundle.link?.map((l) => l.relation),
          type,
        ).toContain('self');
        for (const problem of validateResource(bundle))
          problems.push(`Bundle of ${type}: ${problem}`);
      }
      console.log(
        `validated ${Object.values(counts).reduce((n, x) => n + x, 0)} resources:`,
        JSON.stringify(counts),
      );
      // A few per kind of problem, not thousands of the same one.
      const byKind = new Map<string, string>();
      for (const p of problems)
        byKind.set(p.replace(/^[A-Za-z]+\/[^:]+: /, '').replace(/\[\d+\]/g, '[]'), p);
      expect([...byKind.values()]).toEqual([]);
      for (const [type, floor] of Object.entries(floors)) {
        if (sources.has(type as ServedType)) expect(counts[type], type).toBeGreaterThan(floor);
      }
      // The trail verifies from its FHIR form alone: every hashed field is carried.
      const trail = (await everything(context, sources.get('AuditEvent') as ResourceSource)).map(
        (resource) => auditEventFromFhir(resource as FhirAuditEvent),
      );
      const events = trail.filter((e) => e !== undefined);
      expect(events).toHaveLength(trail.length);
      expect(findChainBreak(events, genesisHash, sha256)).toMatchObject({ brokenAt: null });
      const [first, second] = events;
      if (!first || !second) throw new Error('the trail has events');
      expect(
        findChainBreak(
          [first, { ...second, detail: { ...second.detail, forged: 1 } }],
          genesisHash,
          sha256,
        ).brokenAt,
      ).toEqual({ seq: second.seq, reason: 'hash' });
      // Referral and audit searches, each against what the tables say.
      const ids = async (query: string) => {
        const response = await app.inject({ url: `/fhir/R4/${query}&_count=1000` });
        expect(response.statusCode, query).toBe(200);
        return (response.json<Bundle>().entry ?? []).map((e) => e.resource?.id);
      };
      const scheduled = await context.db
        .selectFrom('referral')
        .selectAll()
        .where('id', '=', a)
        .executeTakeFirstOrThrow();
      expect(await ids('ServiceRequest?status=revoked')).toEqual([b, c].sort());
      expect(await ids('ServiceRequest?status=active,completed')).toEqual([a, d].sort());
      expect(
        await ids(`ServiceRequest?patient=Patient/${scheduled.patient_id}&status=active`),
      ).toEqual([a]);
      expect(await ids(`ServiceRequest?performer=${scheduled.provider_id}&_id=${a}`)).toEqual([a]);
      expect(await ids(`ServiceRequest?authored=ge${testNow.slice(0, 10)}&_id=${a}`)).toEqual([a]);
      expect(await ids(`ServiceRequest?authored=lt2000-01-01&_id=${a}`)).toEqual([]);
      expect(await ids('Task?status=rejected')).toEqual([b]);
      expect(await ids('Task?status=http://hl7.org/fhir/task-status|in-progress')).toEqual([a]);
      expect(await ids('Task?status=http://example.org|in-progress')).toEqual([]);
      expect(
        await ids(`Task?business-status=${codeSystem('referral-status')}|scheduled,cancelled`),
      ).toEqual([a, c].sort());
      expect(await ids(`Task?focus=ServiceRequest/${d}`)).toEqual([d]);
      expect(
        await ids(
          `Task?owner=HealthcareService/${scheduled.provider_id}&subject=${scheduled.patient_id}`,
        ),
      ).toEqual([a]);
      expect(
        await ids(`Task?modified=ge${scheduled.updated_at.toISOString().slice(0, 19)}Z&_id=${a}`),
      ).toEqual([a]);

      // A list, so the trail holds one event naming several patients.
      expect((await app.inject({ url: '/api/v1/patients?limit=5' })).statusCode).toBe(200);
      const audit = await context.db.selectFrom('audit_event').selectAll().orderBy('seq').execute();
      const seqs = (rows: typeof audit) => rows.map((r) => String(r.seq));
      // Searching the trail adds to it: compare only the events before these searches.
      const lastSeq = Math.max(...audit.map((r) => r.seq));
      const trailIds = async (query: string) =>
        (await ids(query)).filter((id) => Number(id) <= lastSeq);
      // A patient some list showed: found by the events about them and the lists naming them.
      const listedPatient = audit.find((r) => r.patient_ids !== null)?.patient_ids?.[0];
      if (listedPatient === undefined) throw new Error('the trail has a list naming a patient');
      const names = (r: (typeof audit)[number]) =>
        r.patient_id === listedPatient || (r.patient_ids ?? []).includes(listedPatient);
      expect(audit.some((r) => r.patient_id === listedPatient)).toBe(true);
      expect(await trailIds(`AuditEvent?patient=${listedPatient}`)).toEqual(
        seqs(audit.filter(names)),
      );
      expect(await trailIds('AuditEvent?type=110110')).toEqual(
        seqs(audit.filter((r) => r.patient_id !== null || r.patient_ids !== null)),
      );
      expect(await trailIds('AuditEvent?subtype=referral.transition')).toEqual(
        seqs(audit.filter((r) => r.action === 'referral.transition')),
      );
      expect((await trailIds('AuditEvent?action=U')).length).toBeGreaterThanOrEqual(8);
      expect(await trailIds('AuditEvent?action=R,U,C,D,E')).toEqual(seqs(audit));
      expect(await trailIds('AuditEvent?outcome=4')).toEqual(
        seqs(audit.filter((r) => r.outcome === 'denied')),
      );
      expect(await trailIds('AuditEvent?agent-name=cli:')).toEqual(
        seqs(audit.filter((r) => r.actor.startsWith('cli:'))),
      );
      expect(await trailIds(`AuditEvent?entity=${a}&entity-type=referral`)).toEqual(
        seqs(audit.filter((r) => r.entity === 'referral' && r.entity_id === a)),
      );
      expect(await trailIds(`AuditEvent?date=lt2000&_count=5`)).toEqual([]);
      // A Group export carries the referrals of that group's members only.
      const enrolled = await context.db
        .selectFrom('enrollment')
        .select(['group_id', 'patient_id'])
        .where('patient_id', '=', scheduled.patient_id)
        .executeTakeFirstOrThrow();
      const members = new Set(
        (
          await context.db
            .selectFrom('enrollment')
            .select('patient_id')
            .where('group_id', '=', enrolled.group_id)
            .execute()
        ).map((m) => m.patient_id),
      );
      for (const type of ['ServiceRequest', 'Task'] as const) {
        const found = await (sources.get(type) as ResourceSource).search(
          context.db,
          { params: new Map(), count: 1000, after: null },
          { patients: true, groupId: enrolled.group_id },
        );
        expect(found.map((f) => f.key)).toContain(a);
        for (const f of found) expect(members.has(f.patientIds[0] ?? '')).toBe(true);
        expect(found.length).toBeLessThan(referrals.length);
      }
      const statuses = await context.db.selectFrom('referral').select('status').execute();
      expect(new Set(statuses.map((s) => s.status))).toEqual(
        new Set(['draft', 'sent', 'scheduled', 'declined', 'cancelled']),
      );
    },
  );
});

describe('an audit event as AuditEvent', () => {
  const event: AuditEvent = {
    seq: 42,
    at: new Date('2025-03-03T17:00:00.123Z'),
    actor: 'user:5b0c',
    action: 'patient.read',
    entity: 'patient',
    entityId: '00000000-0000-4000-8000-000000000001',
    patientId: '00000000-0000-4000-8000-000000000001',
    entityIds: null,
    patientIds: null,
    ip: '10.0.0.7',
    outcome: 'allowed',
    detail: { fields: ['mrn'] },
    prevHash: 'a'.repeat(64),
    hash: 'b'.repeat(64),
  };

  it('names the record and the patient by reference, with the action R4 means', () => {
    const resource = auditEventToFhir(event);
    expect(resource).toMatchObject({
      id: '42',
      type: { code: '110110' },
      subtype: [{ code: 'patient.read' }],
      action: 'R',
      recorded: '2025-03-03T17:00:00.123Z',
      outcome: '0',
      agent: [{ who: { display: 'user:5b0c' }, requestor: true, network: { address: '10.0.0.7' } }],
      entity: [
        { what: { reference: 'Patient/00000000-0000-4000-8000-000000000001' } },
        {
          what: { reference: 'Patient/00000000-0000-4000-8000-000000000001' },
          role: { code: '1' },
        },
      ],
    });
    expect(validateResource(resource)).toEqual([]);
    expect(auditEventFromFhir(resource)).toEqual(event);
  });

  it('writes a denied list of something else as a failed execute, without a patient', () => {
    const denied: AuditEvent = {
      ...event,
      action: 'grievance.list',
      entity: 'grievance',
      entityId: null,
      patientId: null,
      ip: null,
      outcome: 'denied',
      detail: {},
    };
    const resource = auditEventToFhir(denied);
    expect(resource).toMatchObject({ type: { code: 'rest' }, action: 'E', outcome: '4' });
    expect(resource.entity).toEqual([
      {
        what: { display: 'grievance' },
        type: { system: codeSystem('audit-entity'), code: 'grievance' },
      },
    ]);
    expect(resource.agent[0]?.network).toBeUndefined();
    expect(validateResource(resource)).toEqual([]);
    expect(auditEventFromFhir(resource)).toEqual(denied);
    expect(
      ['enrollment.create', 'referral.transition', 'x.delete', 'rematch.plan'].map(actionCodeOf),
    ).toEqual(['C', 'U', 'D', 'E']);
  });

  it('names every record a list showed, each followed by its patient, and reads them back', () => {
    const referrals = [
      '00000000-0000-4000-8000-00000000000a',
      '00000000-0000-4000-8000-00000000000b',
    ];
    const patients = [
      '00000000-0000-4000-8000-000000000001',
      '00000000-0000-4000-8000-000000000002',
    ];
    const list: AuditEvent = {
      ...event,
      action: 'referral.list',
      entity: 'referral',
      entityId: null,
      patientId: null,
      entityIds: referrals,
      patientIds: patients,
      detail: { filters: ['status'] },
    };
    const resource = auditEventToFhir(list);
    expect(resource).toMatchObject({ type: { code: '110110' }, action: 'E' });
    expect(
      resource.entity?.map((e) => [e.what?.reference ?? e.what?.display, e.role?.code]),
    ).toEqual([
      ['referral', undefined],
      [`ServiceRequest/${referrals[0]}`, '4'],
      [`Patient/${patients[0]}`, '1'],
      [`ServiceRequest/${referrals[1]}`, '4'],
      [`Patient/${patients[1]}`, '1'],
    ]);
    expect(validateResource(resource)).toEqual([]);
    expect(auditEventFromFhir(resource)).toEqual(list);
  });
});

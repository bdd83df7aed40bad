import { expect, it } from 'vitest';
import type { Services } from './context.ts';
import {
  anonymous,
  isAllowed,
  roles,
  type Actor,
  type Permission,
} from './modules/auth/policy.domain.ts';
import { isAppError } from './shared/errors.ts';
import { buildActor } from './test/factories.ts';
import { auditEvents, describeEachEngine } from './test/harness.ts';

/*
 * The services, not the routes, hold every caller to the policy table: each method of the
 * catalogue services requires one permission, checked before anything else. Inputs here are empty
 * or unknown: an allowed caller then fails in some other way (not found, invalid), which is all
 * this table needs to know.
 */

type Call = (services: Services) => Promise<unknown>;
/** The permission a method requires, how to call it, and for patient data the action a refusal is audited as. */
type Entry = [Permission, Call, string?];

const unknownId = '0190f0a0-0000-7000-8000-00000000abcd';
const page = { limit: 1 };
const nothing = {} as never;

const required = {
  serviceAreas: {
    create: ['catalogue:write', (s) => s.serviceAreas.create(nothing)],
    get: ['catalogue:read', (s) => s.serviceAreas.get(unknownId)],
    list: ['catalogue:read', (s) => s.serviceAreas.list({}, page)],
    update: ['catalogue:write', (s) => s.serviceAreas.update(unknownId, 1, {})],
  },
  locations: {
    create: ['catalogue:write', (s) => s.locations.create(nothing)],
    get: ['catalogue:read', (s) => s.locations.get(unknownId)],
    list: ['catalogue:read', (s) => s.locations.list({}, page)],
    update: ['catalogue:write', (s) => s.locations.update(unknownId, 1, {})],
  },
  clinicians: {
    create: ['catalogue:write', (s) => s.clinicians.create(nothing)],
    get: ['catalogue:read', (s) => s.clinicians.get(unknownId)],
    list: ['catalogue:read', (s) => s.clinicians.list({}, page)],
    update: ['catalogue:write', (s) => s.clinicians.update(unknownId, 1, {})],
  },
  groups: {
    create: ['catalogue:write', (s) => s.groups.create(nothing)],
    get: ['catalogue:read', (s) => s.groups.get(unknownId)],
    list: ['catalogue:read', (s) => s.groups.list({}, page)],
    update: ['catalogue:write', (s) => s.groups.update(unknownId, 1, {})],
    sessions: ['catalogue:read', (s) => s.groups.sessions(unknownId, {}, page)],
  },
  outsideProviders: {
    create: ['catalogue:write', (s) => s.outsideProviders.create(nothing)],
    get: ['catalogue:read', (s) => s.outsideProviders.get(unknownId)],
    list: ['catalogue:read', (s) => s.outsideProviders.list({}, page)],
    update: ['catalogue:write', (s) => s.outsideProviders.update(unknownId, 1, {})],
    importDirectory: ['catalogue:write', (s) => s.outsideProviders.importDirectory('csv', 'x\n')],
    exportDirectory: ['catalogue:read', (s) => s.outsideProviders.exportDirectory('csv')],
  },
  patients: {
    create: ['patients:write', (s) => s.patients.create(nothing), 'patient.create'],
    get: ['patients:read', (s) => s.patients.get(unknownId), 'patient.read'],
    list: ['patients:read', (s) => s.patients.list({}, page), 'patient.list'],
    update: ['patients:write', (s) => s.patients.update(unknownId, 1, {}), 'patient.update'],
  },
  enrollments: {
    create: ['enrollments:write', (s) => s.enrollments.create(nothing), 'enrollment.create'],
    get: ['enrollments:read', (s) => s.enrollments.get(unknownId), 'enrollment.read'],
    list: ['enrollments:read', (s) => s.enrollments.list({}, page), 'enrollment.list'],
    update: [
      'enrollments:write',
      (s) => s.enrollments.update(unknownId, 1, {}),
      'enrollment.update',
    ],
  },
  stats: {
    counts: ['aggregates:read', (s) => s.stats.counts()],
  },
  seed: {
    seed: ['data:seed', (s) => s.seed.seed({ scale: 'none' as never, seed: 0 })],
    hasCatalogue: ['data:seed', (s) => s.seed.hasCatalogue()],
  },
} satisfies Partial<Record<keyof Services, Record<string, Entry>>>;

/** How a call ended: the error code of a refusal, or 'other' for anything else (success included). */
async function outcomeOf(call: Promise<unknown>): Promise<string> {
  try {
    await call;
    return 'other';
  } catch (error) {
    if (!isAppError(error)) return 'other';
    // A clinician may hold a permission and still be refused a record outside their scope.
    const scoped =
      error.details !== undefined && !Array.isArray(error.details) && 'scope' in error.details;
    return (error.code === 'FORBIDDEN' && !scoped) || error.code === 'UNAUTHENTICATED'
      ? error.code
      : 'other';
  }
}

describeEachEngine('services hold every caller to the policy table', (use) => {
  it('lists every method of the catalogue services', () => {
    const services = use().context.servicesFor(buildActor());
    for (const [name, methods] of Object.entries(required)) {
      expect(Object.keys(services[name as keyof typeof required]).sort(), name).toEqual(
        Object.keys(methods).sort(),
      );
    }
  });

  it('refuses each method to every caller without its permission, and only to them', async () => {
    const { context } = use();
    const callers: Actor[] = [...roles.map((role) => buildActor({ role })), anonymous(null)];
    const failures: string[] = [];
    for (const actor of callers) {
      const services = context.servicesFor(actor);
      for (const [name, methods] of Object.entries(required)) {
        for (const [method, [permission, call]] of Object.entries(methods) as [string, Entry][]) {
          const expected = isAllowed(actor.role, permission)
            ? 'other'
            : actor.role === null
              ? 'UNAUTHENTICATED'
              : 'FORBIDDEN';
          const got = await outcomeOf(call(services));
          if (got !== expected)
            failures.push(`${actor.role ?? 'nobody'} ${name}.${method}: ${got}, not ${expected}`);
        }
      }
    }
    expect(failures).toEqual([]);
  });

  it('audits a refusal of patient data as denied, under the method’s own action', async () => {
    const { context } = use();
    const auditor = buildActor({ role: 'auditor' });
    const services = context.servicesFor(auditor);
    const expected: string[] = [];
    for (const methods of Object.values(required)) {
      for (const [, call, action] of Object.values(methods) as Entry[]) {
        await outcomeOf(call(services));
        if (action) expected.push(action);
      }
    }
    const events = await auditEvents(context, { actor: auditor.label });
    expect(events.map((event) => [event.action, event.outcome])).toEqual(
      expected.map((action) => [action, 'denied']),
    );
  });
});

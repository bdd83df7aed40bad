import type { FastifyInstance } from 'fastify';
import type { Actor } from '../modules/auth/policy.domain.ts';

let counter = 0;
/** A short unique suffix for test data that must not collide (codes, NPIs, MRNs). */
export function unique(): number {
  counter += 1;
  return counter;
}

export function buildServiceArea(overrides: Record<string, unknown> = {}) {
  const n = unique();
  return {
    code: `SA${n}`,
    name: `Service area ${n}`,
    lat: 34.17,
    lon: -118.6,
    members: 250_000,
    ...overrides,
  };
}

/** POSTs through the API and returns the created resource, failing loudly otherwise. */
export async function create<T = Record<string, unknown>>(
  app: FastifyInstance,
  path: string,
  payload: Record<string, unknown>,
): Promise<T & { id: string; version: number }> {
  const response = await app.inject({ method: 'POST', url: `/api/v1${path}`, payload });
  if (response.statusCode !== 201) {
    throw new Error(`POST ${path} answered ${response.statusCode}: ${response.body}`);
  }
  return response.json();
}

export function buildLocation(serviceAreaId: string, overrides: Record<string, unknown> = {}) {
  const n = unique();
  return {
    serviceAreaId,
    name: `Clinic ${n}`,
    address: `${n} Ventura Blvd, Woodland Hills, CA 91367`,
    lat: 34.17,
    lon: -118.6,
    accessible: true,
    ...overrides,
  };
}

export function buildClinician(locationId: string, overrides: Record<string, unknown> = {}) {
  const n = unique();
  return {
    npi: String(1_000_000_000 + n),
    name: `Clinician ${n}`,
    discipline: 'lcsw',
    specialties: ['perinatal_mood_anxiety'],
    languages: ['en'],
    certifications: [],
    locationId,
    fte: 1,
    ...overrides,
  };
}

export function buildGroup(locationId: string, overrides: Record<string, unknown> = {}) {
  const n = unique();
  return {
    name: `Postpartum support ${n}`,
    specialty: 'perinatal_mood_anxiety',
    modality: 'in_person',
    language: 'en',
    accommodations: ['baby_friendly'],
    locationId,
    capacity: 8,
    minSize: 5,
    kind: 'open',
    rrule: 'FREQ=WEEKLY;BYDAY=TU;BYHOUR=10;BYMINUTE=0',
    sessionMinutes: 90,
    startsOn: '2025-01-07',
    ...overrides,
  };
}

export function buildPatient(serviceAreaId: string, overrides: Record<string, unknown> = {}) {
  const n = unique();
  return {
    mrn: `MRN-${String(n).padStart(6, '0')}`,
    name: `Test Patient ${n}`,
    birthDate: '1992-05-14',
    language: 'en',
    serviceAreaId,
    lat: 34.18,
    lon: -118.59,
    needs: [],
    conditions: ['perinatal_mood_anxiety'],
    risk: 'low',
    perinatal: true,
    ...overrides,
  };
}

export function buildOutsideProvider(overrides: Record<string, unknown> = {}) {
  const n = unique();
  return {
    name: `Outside Therapist ${n}`,
    organization: 'Valley Perinatal Therapy',
    npi: String(2_000_000_000 + n),
    specialties: ['perinatal_mood_anxiety'],
    languages: ['en', 'es'],
    certifications: ['pmh_c'],
    modality: 'both',
    lat: 34.16,
    lon: -118.5,
    accommodations: ['baby_friendly'],
    weeklyCapacity: 6,
    accepting: true,
    ...overrides,
  };
}

/**
 * A signed-in user acting in a role, for calling services directly (context.servicesFor): the
 * services must hold any caller to the policy, not only the HTTP routes.
 */
export function buildActor(overrides: Partial<Actor> = {}): Actor {
  const n = unique();
  const role = overrides.role ?? 'admin';
  return {
    kind: 'user',
    userId: null,
    role,
    clinicianId: null,
    label: `user:test-${role}-${n}`,
    ip: '127.0.0.1',
    ...overrides,
  };
}

import { connectDatabase, type DatabaseTarget } from './db/connect.ts';
import type { Database } from './db/database.ts';
import type { Kysely } from 'kysely';
import { systemClock, type Clock } from './shared/clock.ts';
import type { Config } from './shared/config.ts';
import { createServiceAreaService } from './modules/service-areas/service-areas.service.ts';
import { createGroupService } from './modules/groups/groups.service.ts';
import { createEnrollmentService } from './modules/enrollments/enrollments.service.ts';
import { createLocationService } from './modules/locations/locations.service.ts';
import { createClinicianService } from './modules/clinicians/clinicians.service.ts';
import { createPatientService } from './modules/patients/patients.service.ts';
import { createOutsideProviderService } from './modules/outside-providers/outside-providers.service.ts';
import { createStatsService } from './modules/stats/stats.service.ts';
import { createSeedService } from './modules/seed/seed.service.ts';

/** Everything the server, the CLI and the tests share: built once, passed down, never global. */
export interface Context {
  config: Config;
  db: Kysely<Database>;
  engine: DatabaseTarget['engine'];
  clock: Clock;
  services: Services;
  close(): Promise<void>;
}

export interface ContextOptions {
  /** Overrides where the data lives (tests use an in-memory database or a private schema). */
  database?: DatabaseTarget;
  clock?: Clock;
}

export function databaseTargetOf(config: Config): DatabaseTarget {
  return config.DATABASE_URL
    ? { engine: 'postgres', url: config.DATABASE_URL }
    : { engine: 'pglite', dataDir: config.DATA_DIR };
}

/** The composition root. */
export async function createContext(
  config: Config,
  options: ContextOptions = {},
): Promise<Context> {
  const handle = await connectDatabase(options.database ?? databaseTargetOf(config));
  const clock = options.clock ?? systemClock;
  const deps = { db: handle.db, clock, config };
  return {
    config,
    db: handle.db,
    engine: handle.engine,
    clock,
    services: createServices(deps),
    close: () => handle.close(),
  };
}

/** What a service factory receives. */
export interface ServiceDeps {
  db: Kysely<Database>;
  clock: Clock;
  config: Config;
}

function createServices(deps: ServiceDeps) {
  return {
    serviceAreas: createServiceAreaService(deps),
    groups: createGroupService(deps),
    enrollments: createEnrollmentService(deps),
    locations: createLocationService(deps),
    clinicians: createClinicianService(deps),
    patients: createPatientService(deps),
    outsideProviders: createOutsideProviderService(deps),
    stats: createStatsService(deps),
    seed: createSeedService(deps),
  };
}

export type Services = ReturnType<typeof createServices>;

import { createReportService } from './modules/reports/reports.service.ts';
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
import { createAccess, type Access } from './modules/audit/access.service.ts';
import { createAuditWriter } from './modules/audit/audit-writer.ts';
import {
  createAuthenticator,
  type Authenticator,
  type TokenRow,
} from './modules/auth/authenticator.service.ts';
import { createCredentialCache } from './modules/auth/credential-cache.ts';
import { credentialsChannel } from './db/migrations/0013-credential-notify.ts';
import type { Actor } from './modules/auth/policy.domain.ts';
import { createUserService } from './modules/auth/users.service.ts';
import { createAuditService } from './modules/audit/audit.service.ts';
import { createAggregateService } from './modules/aggregates/aggregates.service.ts';
import { createDisruptionService } from './modules/disruptions/disruptions.service.ts';
import { createMatchingService } from './modules/matching/matching.service.ts';
import { createCohortPlanner, type PlanCohort } from './modules/matching/cohort-planner.ts';
import { createEquivalenceService } from './modules/matching/equivalence.service.ts';
import { createTimelyAccessService } from './modules/timely-access/timely-access.service.ts';
import { createReferralService } from './modules/referrals/referrals.service.ts';
import { createGrievanceService } from './modules/grievances/grievances.service.ts';
import { createWorkloadService } from './modules/workload/workload.service.ts';
import { createFhirService } from './modules/fhir/fhir.service.ts';
import { createImportService } from './modules/fhir/import.service.ts';
import { createExportService } from './modules/fhir/export.service.ts';

/** Everything the server, the CLI and the tests share: built once, passed down, never global. */
export interface Context {
  config: Config;
  db: Kysely<Database>;
  engine: DatabaseTarget['engine'];
  clock: Clock;
  /** Signs people in and identifies requests. */
  authenticator: Authenticator;
  /** The services as `actor` may use them: every call is checked against the policy and audited. */
  servicesFor(actor: Actor): Services;
  /** The policy check and audit trail for `actor`, as the services use them. */
  accessFor(actor: Actor): Access;
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
  const { db } = handle;
  // One worker thread for the process, started at the first re-match, ended by close().
  const planner = createCohortPlanner();
  // One writer for the process, so concurrent requests' audit events are committed together.
  const auditWriter = createAuditWriter(db);
  const accessFor = (actor: Actor) => createAccess(auditWriter, clock, actor);
  // Tokens already looked up, forgotten whenever the database announces a credential change.
  const tokens = createCredentialCache<TokenRow>();
  const listener = await handle.listen(credentialsChannel, {
    notify: tokens.clear,
    listening: tokens.listening,
  });
  return {
    config,
    db,
    engine: handle.engine,
    clock,
    authenticator: createAuthenticator({ db, clock, config, tokens }),
    servicesFor: (actor) =>
      createServices({
        db,
        clock,
        config,
        access: accessFor(actor),
        planCohort: planner.plan,
        credentialsChanged: tokens.clear,
      }),
    accessFor,
    close: async () => {
      await planner.close();
      await listener.close();
      await handle.close();
    },
  };
}

/** What a service factory receives: built per actor, so a service always knows who is asking. */
export interface ServiceDeps {
  db: Kysely<Database>;
  clock: Clock;
  config: Config;
  access: Access;
  /** Plans a re-match's cohort off the event loop; without it, on the calling thread. */
  planCohort?: PlanCohort | undefined;
  /** Tells this process's authentication that a credential changed (a token was revoked). */
  credentialsChanged?: (() => void) | undefined;
}

const serviceFactories = {
  serviceAreas: createServiceAreaService,
  groups: createGroupService,
  enrollments: createEnrollmentService,
  locations: createLocationService,
  clinicians: createClinicianService,
  patients: createPatientService,
  outsideProviders: createOutsideProviderService,
  stats: createStatsService,
  seed: createSeedService,
  users: createUserService,
  audit: createAuditService,
  aggregates: createAggregateService,
  disruptions: createDisruptionService,
  matching: createMatchingService,
  equivalence: createEquivalenceService,
  timelyAccess: createTimelyAccessService,
  referrals: createReferralService,
  grievances: createGrievanceService,
  workload: createWorkloadService,
  fhir: createFhirService,
  fhirImport: createImportService,
  fhirExport: createExportService,
  reports: createReportService,
};

type Factories = typeof serviceFactories;
export type Services = { readonly [K in keyof Factories]: ReturnType<Factories[K]> };

/**
 * The services for one actor. Each is made on first use: a request uses one or two of them, and
 * making all of them for every request was a measurable part of a small read's time.
 */
class LazyServices {
  readonly made = new Map<keyof Factories, unknown>();
  constructor(readonly deps: ServiceDeps) {}
}
for (const name of Object.keys(serviceFactories) as (keyof Factories)[]) {
  Object.defineProperty(LazyServices.prototype, name, {
    get(this: LazyServices) {
      let service = this.made.get(name);
      if (service === undefined) {
        service = serviceFactories[name](this.deps);
        this.made.set(name, service);
      }
      return service;
    },
  });
}

function createServices(deps: ServiceDeps): Services {
  return new LazyServices(deps) as unknown as Services;
}

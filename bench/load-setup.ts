/*
 * What the load benchmark needs in the database before it starts the server: two disruptions
 * (one re-matched and committed, for referrals to move along; one applied and left for the
 * re-match the benchmark starts over HTTP), API tokens, and the ids the requests name. Made
 * through the services as an operator would, except the tokens, which are inserted as the test
 * harness does (bearerFor), so that no sign-in is timed.
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { Context } from '../src/context.ts';
import { insertToken, insertUser } from '../src/modules/auth/auth.repository.ts';
import { newApiTokenSecret, secretHash } from '../src/modules/auth/authenticator.service.ts';
import { cliActor, type Role } from '../src/modules/auth/policy.domain.ts';
import { localDateOf } from '../src/shared/clock.ts';
import type { PooledReferral } from './load-driver.ts';

const referralsTitle = 'Load benchmark: strike for referrals';
const rematchTitle = 'Load benchmark: strike to re-match under load';

export async function bearerToken(context: Context, role: Role): Promise<string> {
  const userId = randomUUID();
  const secret = newApiTokenSecret();
  await insertUser(context.db, {
    id: userId,
    email: `load-${role}-${userId}@bench.continuity`,
    name: `Load benchmark ${role}`,
    role,
    clinician_id: null,
    password_hash: null,
  });
  await insertToken(context.db, {
    id: randomUUID(),
    user_id: userId,
    name: 'load benchmark',
    token_hash: secretHash(secret),
  });
  return `Bearer ${secret}`;
}

/** Every second active clinician of the given service areas. */
async function strikersIn(context: Context, serviceAreaIds: readonly string[]): Promise<string[]> {
  if (serviceAreaIds.length === 0) return [];
  const rows = await context.db
    .selectFrom('clinician')
    .innerJoin('location', 'location.id', 'clinician.location_id')
    .select('clinician.id')
    .where('clinician.status', '=', 'active')
    .where('location.service_area_id', 'in', serviceAreaIds)
    .orderBy('clinician.id')
    .execute();
  return rows.filter((_, i) => i % 2 === 0).map((r) => r.id);
}

export interface Prepared {
  /** The applied disruption the benchmark re-matches over HTTP. */
  rematchDisruptionId: string;
  rematchAreas: string[];
  made: string[];
}

/**
 * Makes the two disruptions unless a kept schema has them already. The re-match one strikes the
 * first `rematchAreas` service areas by code (the smaller its cohort, the shorter the re-match);
 * the referral one strikes the others and is committed, which writes its referrals as drafts.
 */
export async function prepareDisruptions(
  context: Context,
  rematchAreas: number,
  log: (line: string) => void,
): Promise<Prepared> {
  const services = context.servicesFor(cliActor('load-bench'));
  const areas = await context.db
    .selectFrom('service_area')
    .select(['id', 'code'])
    .orderBy('code')
    .execute();
  const forRematch = areas.slice(0, rematchAreas).map((a) => a.id);
  const forReferrals = areas.slice(rematchAreas).map((a) => a.id);
  const existing = await context.db
    .selectFrom('disruption')
    .select(['id', 'title'])
    .where('title', 'in', [referralsTitle, rematchTitle])
    .execute();
  const today = localDateOf(new Date(), context.config.TZ_ORG);
  const made: string[] = [];
  const strike = async (title: string, serviceAreaIds: string[]) => {
    const disruption = await services.disruptions.create({
      kind: 'strike',
      title,
      scope: {
        clinicianIds: await strikersIn(context, serviceAreaIds),
        locationIds: [],
        groupIds: [],
        serviceAreaIds: [],
      },
      startsOn: today,
      endsOn: null,
    });
    await services.disruptions.apply(disruption.id);
    return disruption.id;
  };

  if (!existing.some((d) => d.title === referralsTitle)) {
    const started = performance.now();
    const id = await strike(referralsTitle, forReferrals);
    const run = await services.matching.rematch(id);
    await services.matching.decideMany(run.id, 'approved', null);
    const { committed } = await services.matching.commit(run.id);
    const line = `strike in ${forReferrals.length} areas, re-matched and committed: ${committed.referrals} referrals, ${committed.enrollments} enrollments (${((performance.now() - started) / 1000).toFixed(1)} s)`;
    made.push(line);
    log(line);
  }
  let rematchId = existing.find((d) => d.title === rematchTitle)?.id;
  if (rematchId === undefined) {
    rematchId = await strike(rematchTitle, forRematch);
    const line = `strike in ${forRematch.length} areas applied, left for the re-match under load`;
    made.push(line);
    log(line);
  }
  if (made.length > 0) await sql`analyze`.execute(context.db);
  return {
    rematchDisruptionId: rematchId,
    rematchAreas: areas.slice(0, rematchAreas).map((a) => a.code),
    made,
  };
}

export interface Targets {
  patientIds: string[];
  serviceAreaIds: string[];
  specialties: string[];
  languages: string[];
  referrals: PooledReferral[];
  referralPatients: string[];
  displacedInRematch: number;
}

/** The ids the requests name: a spread of real patients, areas, specialties, open referrals. */
export async function loadTargets(context: Context, rematchDisruptionId: string): Promise<Targets> {
  const { db } = context;
  // A fixed spread of patients: ordered by a hash of the id, so every run reads the same ones.
  const { rows: patients } = await sql<{ id: string }>`
    select id from patient order by md5(id::text) limit 2000`.execute(db);
  const areas = await db.selectFrom('service_area').select('id').orderBy('code').execute();
  const specialties = await db
    .selectFrom('therapy_group')
    .select('specialty')
    .distinct()
    .orderBy('specialty')
    .execute();
  const languages = await db
    .selectFrom('patient')
    .select('language')
    .groupBy('language')
    .orderBy(sql`count(*)`, 'desc')
    .limit(4)
    .execute();
  const referrals = await db
    .selectFrom('referral')
    .select(['id', 'version', 'status', 'patient_id'])
    .where('status', 'in', ['draft', 'sent', 'accepted', 'scheduled'])
    .orderBy('id')
    .execute();
  const { rows: cohort } = await sql<{ patients: number }>`
    select count(distinct e.patient_id)::int as patients
      from enrollment e
     where e.group_id in (select s.group_id from group_session s
                           where s.disruption_id = ${rematchDisruptionId})
       and e.status = 'active'`.execute(db);
  return {
    patientIds: patients.map((p) => p.id),
    serviceAreaIds: areas.map((a) => a.id),
    specialties: specialties.map((s) => s.specialty),
    languages: languages.map((l) => l.language),
    referrals: referrals.map((r) => ({ id: r.id, version: r.version, status: r.status })),
    referralPatients: [...new Set(referrals.map((r) => r.patient_id))],
    displacedInRematch: cohort[0]?.patients ?? 0,
  };
}

import { toReferral } from '../referrals/referrals.repository.ts';
import { sql, type SqlBool } from 'kysely';
import type { Db } from '../../db/database.ts';
import type { Referral, ReferralStatus } from '../referrals/referrals.domain.ts';
import { codeSystem, type ServedType } from './fhir.domain.ts';
import type { ExternalId } from './map.domain.ts';
import { referralStatusesFor, requestStatusOf, taskStatusOf } from './map-referral.domain.ts';
import { memberOf } from './patients.repository.ts';
import { valuesOf, type ParsedSearch, type TokenValue } from './search.domain.ts';
import {
  all,
  col,
  codeCondition,
  commonConditions,
  dateCondition,
  each,
  externalIdentifiers,
  referenceCondition,
  type Condition,
} from './search.repository.ts';
import type { SearchScope } from './sources.ts';

/** A FHIR status token against the referral statuses it stands for. */
function statusCondition(
  map: Readonly<Record<ReferralStatus, string>>,
  system: string,
  { system: given, code }: TokenValue,
): Condition {
  if (given !== undefined && given !== system) return sql<SqlBool>`false`;
  const statuses = referralStatusesFor(map, code);
  if (statuses.length === 0) return sql<SqlBool>`false`;
  return sql<SqlBool>`referral.status in (${sql.join(statuses)})`;
}

const authored = sql`coalesce(referral.sent_at, referral.created_at)`;

/** The conditions of a ServiceRequest search. */
function requestConditions(search: ParsedSearch): Condition[] {
  return [
    ...each(
      [...valuesOf(search, 'patient', 'reference'), ...valuesOf(search, 'subject', 'reference')],
      (ref) => referenceCondition(col('referral.patient_id'), ['Patient'], ref),
    ),
    ...each(valuesOf(search, 'status', 'token'), (token) =>
      statusCondition(requestStatusOf, 'http://hl7.org/fhir/request-status', token),
    ),
    ...each(valuesOf(search, 'performer', 'reference'), (ref) =>
      referenceCondition(col('referral.provider_id'), ['HealthcareService'], ref),
    ),
    ...each(valuesOf(search, 'authored', 'date'), (date) => dateCondition(authored, date)),
  ];
}

/** The conditions of a Task search. */
function taskConditions(search: ParsedSearch): Condition[] {
  return [
    ...each(
      [...valuesOf(search, 'patient', 'reference'), ...valuesOf(search, 'subject', 'reference')],
      (ref) => referenceCondition(col('referral.patient_id'), ['Patient'], ref),
    ),
    ...each(valuesOf(search, 'status', 'token'), (token) =>
      statusCondition(taskStatusOf, 'http://hl7.org/fhir/task-status', token),
    ),
    ...each(valuesOf(search, 'business-status', 'token'), (token) =>
      codeCondition(col('referral.status'), codeSystem('referral-status'), token),
    ),
    ...each(valuesOf(search, 'owner', 'reference'), (ref) =>
      referenceCondition(col('referral.provider_id'), ['HealthcareService'], ref),
    ),
    ...each(valuesOf(search, 'focus', 'reference'), (ref) =>
      referenceCondition(col('referral.id'), ['ServiceRequest'], ref),
    ),
    ...each(valuesOf(search, 'authored-on', 'date'), (date) => dateCondition(authored, date)),
    ...each(valuesOf(search, 'modified', 'date'), (date) =>
      dateCondition(col('referral.updated_at'), date),
    ),
  ];
}

/**
 * One page of referrals in id order (count + 1 rows), as ServiceRequests or Tasks: the same rows,
 * searched by each type's own parameters.
 */
export async function searchReferrals(
  db: Db,
  type: Extract<ServedType, 'ServiceRequest' | 'Task'>,
  search: ParsedSearch,
  scope: SearchScope,
): Promise<{ referral: Referral; external: ExternalId[] }[]> {
  const conditions = [
    ...commonConditions(search, {
      type,
      id: col('referral.id'),
      key: col('referral.id'),
      keyKind: 'uuid',
      updated: col('referral.updated_at'),
      natural: [],
    }),
    ...(type === 'ServiceRequest' ? requestConditions(search) : taskConditions(search)),
    ...(scope.groupId ? [memberOf('referral.patient_id', scope.groupId)] : []),
  ];
  const rows = await db
    .selectFrom('referral')
    .selectAll()
    .where(all(conditions))
    .orderBy('referral.id')
    .limit(search.count + 1)
    .execute();
  const external = await externalIdentifiers(
    db,
    type,
    rows.map((r) => r.id),
  );
  return rows.map((row) => ({ referral: toReferral(row), external: external.get(row.id) ?? [] }));
}

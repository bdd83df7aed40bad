import type { Resource } from '@medplum/fhirtypes';
import type { Db } from '../../db/database.ts';
import type { Permission } from '../auth/policy.domain.ts';
import type { ServedType } from './fhir.domain.ts';
import type { ParamSpecs, ParsedSearch } from './search.domain.ts';
import type { KeyKind } from './search.repository.ts';
import { patientSources } from './patients.source.ts';

/*
 * Where each served type comes from: its permission, its search parameters, and one function that
 * reads a page of it as FHIR. Read, search and bulk export all go through `search`.
 */

/** What a reader may see, and what a Group export narrows to. */
export interface SearchScope {
  /** Whether the reader may see patients (a Group then lists its members). */
  patients: boolean;
  /** Group/{id}/$export: only these members' data. */
  groupId: string | null;
}

/** One resource found: its page key, and the patients it names (for the audit trail). */
export interface Found {
  key: string;
  resource: Resource;
  patientIds: readonly string[];
}

export interface ResourceSource {
  type: ServedType;
  permission: Permission;
  /** The type's own search parameters (the common ones are everyone's). */
  params: ParamSpecs;
  keyKind: KeyKind;
  /** Whether the type belongs to a patient's compartment (a Group export includes it). */
  patientCompartment: boolean;
  /** Up to `search.count + 1` resources in key order after `search.after`. */
  search(db: Db, search: ParsedSearch, scope: SearchScope): Promise<Found[]>;
}

export const sources: ReadonlyMap<ServedType, ResourceSource> = new Map(
  [...patientSources].map((source) => [source.type, source]),
);

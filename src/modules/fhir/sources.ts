import type { Resource } from '@medplum/fhirtypes';
import type { Db } from '../../db/database.ts';
import type { Permission } from '../auth/policy.domain.ts';
import type { ServedType } from './fhir.domain.ts';
import type { Problem } from './map.domain.ts';
import type { ParamSpecs, ParsedSearch } from './search.domain.ts';
import type { KeyKind } from './search.repository.ts';
import { auditSources } from './audit.source.ts';
import { careImporters, careSources } from './care.source.ts';
import { catalogueImporters, catalogueSources } from './catalogue.source.ts';
import { patientImporters, patientSources } from './patients.source.ts';
import { referralSources } from './referrals.source.ts';

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
  [...catalogueSources, ...patientSources, ...careSources, ...referralSources, ...auditSources].map(
    (source) => [source.type, source],
  ),
);

/** How an import entry names other resources, resolved before any entry is written. */
export interface Resolver {
  /**
   * The Continuity id a reference names: an entry of the same Bundle (its fullUrl), `Type/id` of
   * something that exists, or a conditional reference `Type?identifier=system|value` that matches
   * one. Undefined when it names nothing known or a type not in `types`.
   */
  id(reference: string | undefined, types: readonly ServedType[]): string | undefined;
  /** The resource an entry of the same Bundle holds, for a reference to it. */
  resource(reference: string | undefined): Resource | undefined;
}

export type WriteOutcome = 'created' | 'updated' | 'unchanged';

/** A problem that stops one entry: where, and what is wrong (never the value itself). */
export type EntryProblem = Problem;

/** One incoming resource, mapped and checked, ready to write. */
export interface PreparedEntry {
  /** Non-empty: the entry is refused (a transaction then fails whole). */
  problems: EntryProblem[];
  /** The elements Continuity does not use, reported back, never dropped silently. */
  unused: string[];
  /**
   * Creates the entity with `id` (when `exists` is false) or updates it, changing nothing when
   * it already holds these values (so importing twice changes nothing). Returns the patients
   * written, for the audit trail. Throws AppError (GROUP_FULL, UNKNOWN_REFERENCE, ...) to refuse.
   */
  write(
    db: Db,
    id: string,
    exists: boolean,
  ): Promise<{ outcome: WriteOutcome; patientIds: string[] }>;
}

export interface Importer {
  type: ServedType;
  /** The permission writing this type needs, besides fhir:import. */
  permission: Permission;
  prepare(resource: Resource, resolve: Resolver): PreparedEntry;
}

export const importers: ReadonlyMap<ServedType, Importer> = new Map(
  [...catalogueImporters, ...patientImporters, ...careImporters].map((importer) => [
    importer.type,
    importer,
  ]),
);

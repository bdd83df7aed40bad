import type { Bundle, BundleEntry, PractitionerRole, Resource } from '@medplum/fhirtypes';
import type { ServiceDeps } from '../../context.ts';
import type { Db } from '../../db/database.ts';
import { translateDbError } from '../../db/errors.ts';
import { AppError, isAppError } from '../../shared/errors.ts';
import { uuidv7 } from '../../shared/ids.ts';
import type { AccessRecord } from '../audit/access.service.ts';
import { errorOutcome, isServedType, type ServedType } from './fhir.domain.ts';
import {
  entryProblems,
  identifiersOf,
  isImportable,
  parseBundle,
  parseReference,
  proposedId,
  referencesIn,
  matchIdentifiers,
  skippedEntry,
  waitingEntry,
  outcomeOf,
  writeOrder,
  type IncomingEntry,
} from './import.domain.ts';
import {
  existingIds,
  idsByIdentifier,
  isNaturalSystem,
  keepIdentifiers,
} from './import.repository.ts';
import { importers, type PreparedEntry, type Resolver, type WriteOutcome } from './sources.ts';

export type ImportService = ReturnType<typeof createImportService>;

/** One importable entry with the id it takes and whether that id exists already. */
interface Planned {
  entry: IncomingEntry;
  type: ServedType;
  id: string;
  exists: boolean;
  prepared: PreparedEntry;
}

const statusText: Record<WriteOutcome, string> = {
  created: '201 Created',
  updated: '200 OK',
  unchanged: '200 OK',
};

/** The key of an identifier in lookups. */
const keyOf = (i: { system: string; value: string }) => `${i.system}|${i.value}`;

/**
 * Finds the id each importable entry takes (an existing entity matched by any identifier, or its
 * own UUID, or a new one), and resolves every reference in the Bundle: to another entry, to an
 * existing entity (`Type/id`), or through a conditional reference (`Type?identifier=s|v`).
 */
async function plan(db: Db, entries: readonly IncomingEntry[]) {
  const importable = entries.filter((e) => isImportable(e.resource.resourceType));
  const byType = new Map<ServedType, IncomingEntry[]>();
  for (const entry of importable) {
    const type = entry.resource.resourceType as ServedType;
    byType.set(type, [...(byType.get(type) ?? []), entry]);
  }
  // References, grouped by what they need looked up.
  const references = new Set<string>();
  for (const entry of importable) referencesIn(entry.resource, references);
  const wantedIds = new Map<ServedType, Set<string>>();
  const wantedIdentifiers = new Map<ServedType, { system: string; value: string }[]>();
  const want = <T>(map: Map<ServedType, T[] | Set<T>>, type: ServedType, value: T) => {
    const list = map.get(type);
    if (list instanceof Set) list.add(value);
    else if (list) list.push(value);
  };
  for (const [type, list] of byType) {
    wantedIds.set(type, new Set(list.flatMap((e) => proposedId(e) ?? [])));
    wantedIdentifiers.set(
      type,
      list.flatMap((e) => matchIdentifiers(e)),
    );
  }
  for (const reference of references) {
    const parsed = parseReference(reference);
    if (parsed.kind === 'other' || !isServedType(parsed.type)) continue;
    if (!wantedIds.has(parsed.type)) wantedIds.set(parsed.type, new Set());
    if (!wantedIdentifiers.has(parsed.type)) wantedIdentifiers.set(parsed.type, []);
    if (parsed.kind === 'literal') want(wantedIds, parsed.type, parsed.id.toLowerCase());
    else if (parsed.identifier.system)
      want(wantedIdentifiers, parsed.type, {
        system: parsed.identifier.system,
        value: parsed.identifier.code,
      });
  }
  const existing = new Map<ServedType, Set<string>>();
  const byIdentifier = new Map<ServedType, Map<string, string>>();
  for (const [type, ids] of wantedIds) existing.set(type, await existingIds(db, type, [...ids]));
  for (const [type, identifiers] of wantedIdentifiers)
    byIdentifier.set(type, await idsByIdentifier(db, type, identifiers));

  // Each entry's id: the first identifier that names something, else its own UUID, else new.
  const idOf = new Map<IncomingEntry, { id: string; exists: boolean; problem?: string }>();
  for (const [type, list] of byType) {
    const known = byIdentifier.get(type) ?? new Map<string, string>();
    const present = existing.get(type) ?? new Set<string>();
    for (const entry of list) {
      const matches = new Set(matchIdentifiers(entry).flatMap((i) => known.get(keyOf(i)) ?? []));
      const proposed = proposedId(entry);
      if (proposed !== undefined && present.has(proposed)) matches.add(proposed);
      const [match, other] = [...matches];
      if (other !== undefined)
        idOf.set(entry, {
          id: match ?? '',
          exists: true,
          problem: 'its identifiers name two different records',
        });
      else if (match !== undefined) idOf.set(entry, { id: match, exists: true });
      else idOf.set(entry, { id: proposed ?? uuidv7(), exists: false });
    }
  }
  // Two entries of one Bundle that are the same new thing take the first one's id.
  const local = new Map<string, { type: ServedType; id: string }>();
  const register = () => {
    local.clear();
    for (const entry of importable) {
      const type = entry.resource.resourceType as ServedType;
      const assigned = idOf.get(entry);
      if (!assigned) continue;
      if (entry.fullUrl) local.set(entry.fullUrl, { type, id: assigned.id });
      if (entry.resource.id) local.set(`${type}/${entry.resource.id}`, { type, id: assigned.id });
      for (const identifier of identifiersOf(entry.resource))
        local.set(`${type}?identifier=${keyOf(identifier)}`, { type, id: assigned.id });
    }
  };
  register();
  const resources = new Map<string, Resource>();
  for (const entry of importable) {
    if (entry.fullUrl) resources.set(entry.fullUrl, entry.resource);
    if (entry.resource.id)
      resources.set(`${entry.resource.resourceType}/${entry.resource.id}`, entry.resource);
  }
  const resolver: Resolver = {
    id(reference, types) {
      if (reference === undefined) return undefined;
      const hit = local.get(reference);
      if (hit) return types.includes(hit.type) ? hit.id : undefined;
      const parsed = parseReference(reference);
      if (parsed.kind === 'other' || !isServedType(parsed.type) || !types.includes(parsed.type))
        return undefined;
      if (parsed.kind === 'literal') {
        const localHit = local.get(`${parsed.type}/${parsed.id}`);
        if (localHit) return localHit.id;
        const id = parsed.id.toLowerCase();
        return existing.get(parsed.type)?.has(id) ? id : undefined;
      }
      if (!parsed.identifier.system) return undefined;
      const key = keyOf({ system: parsed.identifier.system, value: parsed.identifier.code });
      return (
        local.get(`${parsed.type}?identifier=${key}`)?.id ?? byIdentifier.get(parsed.type)?.get(key)
      );
    },
    resource(reference) {
      return reference === undefined ? undefined : resources.get(reference);
    },
  };
  // A clinician is one Practitioner and its PractitionerRole under one id: a new role takes the
  // id of the practitioner it names, so its identifiers and location point at the clinician.
  let moved = false;
  const practitionerExists = new Map(
    (byType.get('Practitioner') ?? []).flatMap((e) => {
      const assigned = idOf.get(e);
      return assigned ? [[assigned.id, assigned.exists] as const] : [];
    }),
  );
  for (const entry of byType.get('PractitionerRole') ?? []) {
    const assigned = idOf.get(entry);
    const practitioner = (entry.resource as PractitionerRole).practitioner?.reference;
    const target = resolver.id(practitioner, ['Practitioner']);
    if (assigned && !assigned.exists && target !== undefined && target !== assigned.id) {
      // Named by a Practitioner entry: it exists when that entry does; else the database has it.
      idOf.set(entry, { id: target, exists: practitionerExists.get(target) ?? true });
      moved = true;
    }
  }
  if (moved) register();
  return { idOf, resolver };
}

/**
 * Imports a transaction Bundle (all or nothing) or a batch Bundle (each entry on its own): creates
 * or updates Organizations, Locations, Practitioners, PractitionerRoles, HealthcareServices,
 * Patients, Groups and Appointments, matched by identifier, so the same Bundle twice changes
 * nothing. Other types and unused elements are reported in the response, never dropped silently.
 * Needs fhir:import and each type's write permission. Throws VALIDATION_FAILED (the Bundle's
 * shape), UNPROCESSABLE (an entry Continuity cannot take, transaction), or the first write's
 * AppError (GROUP_FULL, UNKNOWN_REFERENCE, ..., transaction), each naming the entry.
 */
export function createImportService({ db, access }: ServiceDeps) {
  const record = (planned: Planned, patientIds: readonly string[]): AccessRecord[] =>
    patientIds.map((patientId) => ({
      action: 'fhir.import',
      entity: planned.type,
      entityId: planned.id,
      patientId,
    }));

  async function writeOne(
    trx: Db,
    planned: Planned,
  ): Promise<{ outcome: WriteOutcome; records: AccessRecord[] }> {
    const { outcome, patientIds } = await planned.prepared.write(trx, planned.id, planned.exists);
    const kept = identifiersOf(planned.entry.resource)
      .filter((i) => !isNaturalSystem(planned.type, i.system))
      .map((i) => ({ type: planned.type, system: i.system, value: i.value, id: planned.id }));
    if (kept.length > 0) await keepIdentifiers(trx, kept);
    return { outcome, records: record(planned, patientIds) };
  }

  const responseOf = (planned: Planned, outcome: WriteOutcome): BundleEntry => {
    const info = outcomeOf(outcome, planned.prepared.unused);
    return {
      response: {
        status: statusText[outcome],
        location: `${planned.type}/${planned.id}`,
        ...(info ? { outcome: info } : {}),
      },
    };
  };

  function failed(index: number, error: unknown): AppError {
    const translated = translateDbError(error);
    if (!isAppError(translated)) throw error;
    return new AppError(translated.code, `Bundle.entry[${index}]: ${translated.message}`, {
      issues: [{ field: `Bundle.entry[${index}]`, problem: translated.message }],
    });
  }

  return {
    async importBundle(input: unknown): Promise<Bundle> {
      await access.require('fhir:import', { action: 'fhir.import', entity: 'Bundle' });
      const bundle = parseBundle(input);
      for (const type of new Set(bundle.entries.map((e) => e.resource.resourceType))) {
        const importer = isServedType(type) ? importers.get(type) : undefined;
        if (importer)
          await access.require(importer.permission, { action: 'fhir.import', entity: type });
      }
      const { idOf, resolver } = await plan(db, bundle.entries);
      const planned: Planned[] = [];
      const problems: { field: string; problem: string }[] = [];
      for (const entry of writeOrder(bundle.entries)) {
        const type = entry.resource.resourceType;
        const importer = isServedType(type) ? importers.get(type) : undefined;
        const assigned = idOf.get(entry);
        if (!importer || !assigned) continue;
        let prepared;
        try {
          prepared = importer.prepare(entry.resource, resolver);
        } catch (error) {
          // The mappers read FHIR's shapes; a value of another shape (a single identifier where
          // R4 has a list) is the sender's to fix, not a server error.
          if (!(error instanceof TypeError)) throw error;
          problems.push({
            field: `Bundle.entry[${entry.index}].resource`,
            problem:
              'an element has another shape than FHIR R4 gives it (a single value for a list, or a value of the wrong type)',
          });
          continue;
        }
        const entryIssues = [
          ...entryProblems(entry.index, prepared.problems),
          ...(assigned.problem
            ? [
                {
                  field: `Bundle.entry[${entry.index}].resource.identifier`,
                  problem: assigned.problem,
                },
              ]
            : []),
        ];
        if (entryIssues.length > 0) {
          problems.push(...entryIssues);
          if (bundle.type === 'transaction') continue;
        }
        planned.push({
          entry,
          type: importer.type,
          id: assigned.id,
          exists: assigned.exists,
          prepared,
        });
      }

      // A new Practitioner is created by its PractitionerRole (location, discipline): alone, it waits.
      const roles = new Set(planned.filter((p) => p.type === 'PractitionerRole').map((p) => p.id));
      const waiting = new Set(
        planned.filter((p) => p.type === 'Practitioner' && !p.exists && !roles.has(p.id)),
      );
      const responses = new Map<number, BundleEntry>();
      for (const item of waiting) responses.set(item.entry.index, waitingEntry());
      if (bundle.type === 'transaction') {
        if (problems.length > 0) {
          throw new AppError(
            'UNPROCESSABLE',
            `The Bundle cannot be imported: ${problems.length} problem(s); nothing was written.`,
            {
              issues: problems,
            },
          );
        }
        await db.transaction().execute(async (trx) => {
          const records: AccessRecord[] = [];
          for (const item of planned) {
            if (waiting.has(item)) continue;
            try {
              const written = await writeOne(trx, item);
              records.push(...written.records);
              responses.set(item.entry.index, responseOf(item, written.outcome));
            } catch (error) {
              throw failed(item.entry.index, error);
            }
          }
          if (records.length > 0) await access.record(records, trx);
        });
      } else {
        const refused = new Set(
          problems.map((p) => Number(/^Bundle\.entry\[(\d+)\]/.exec(p.field)?.[1] ?? -1)),
        );
        for (const item of planned) {
          if (waiting.has(item)) continue;
          if (refused.has(item.entry.index)) {
            const own = problems.filter((p) =>
              p.field.startsWith(`Bundle.entry[${item.entry.index}]`),
            );
            responses.set(item.entry.index, {
              response: {
                status: '422 Unprocessable Entity',
                outcome: errorOutcome('UNPROCESSABLE', 'The entry cannot be imported.', own),
              },
            });
            continue;
          }
          try {
            const entry = await db.transaction().execute(async (trx) => {
              const written = await writeOne(trx, item);
              if (written.records.length > 0) await access.record(written.records, trx);
              return responseOf(item, written.outcome);
            });
            responses.set(item.entry.index, entry);
          } catch (error) {
            const appError = failed(item.entry.index, error);
            responses.set(item.entry.index, {
              response: {
                status: `${appError.status}`,
                outcome: errorOutcome(appError.code, appError.message),
              },
            });
          }
        }
      }
      // A batch entry refused before it was planned (its shape) answers with its own problems.
      for (const entry of bundle.entries) {
        const own = problems.filter((p) => p.field.startsWith(`Bundle.entry[${entry.index}]`));
        if (!responses.has(entry.index) && own.length > 0)
          responses.set(entry.index, {
            response: {
              status: '422 Unprocessable Entity',
              outcome: errorOutcome('UNPROCESSABLE', 'The entry cannot be imported.', own),
            },
          });
      }
      return {
        resourceType: 'Bundle',
        type: bundle.type === 'transaction' ? 'transaction-response' : 'batch-response',
        entry: bundle.entries.map(
          (entry) => responses.get(entry.index) ?? skippedEntry(entry.resource.resourceType),
        ),
      };
    },
  };
}

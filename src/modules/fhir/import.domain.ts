import type { BundleEntry, OperationOutcome, Resource } from '@medplum/fhirtypes';
import { AppError } from '../../shared/errors.ts';
import { importableTypes } from './capability.domain.ts';
import { codeSystem, idFromIdentifier, servedTypes, type ServedType } from './fhir.domain.ts';
import type { Problem } from './map.domain.ts';
import { parseToken, type TokenValue } from './search.domain.ts';

/*
 * The pure half of import: what a Bundle must look like, which references it holds, the order
 * entries are written in, and the response entries.
 */

export const maxEntries = 10_000;

export interface IncomingEntry {
  /** Its position in the Bundle, for responses and problems. */
  index: number;
  fullUrl: string | undefined;
  resource: Resource;
  /** The request's conditional URL or Type/id, if any. */
  url: string | undefined;
}

export interface IncomingBundle {
  type: 'transaction' | 'batch';
  entries: IncomingEntry[];
}

function invalid(field: string, problem: string): AppError {
  return new AppError('VALIDATION_FAILED', `Invalid ${field}: ${problem}`, {
    issues: [{ field, problem }],
  });
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** How deep a resource may nest: FHIR's own resources stay well within it. */
export const maxResourceDepth = 64;

/** Whether a JSON value nests deeper than `max` objects and arrays (walked without recursion). */
export function nestsDeeperThan(value: unknown, max: number): boolean {
  const stack: [unknown, number][] = [[value, 0]];
  for (let next = stack.pop(); next; next = stack.pop()) {
    const [item, depth] = next;
    if (typeof item !== 'object' || item === null) continue;
    if (depth > max) return true;
    for (const child of Object.values(item)) stack.push([child, depth + 1]);
  }
  return false;
}

/** Checks a Bundle's shape (not its resources: each importer checks its own). */
export function parseBundle(input: unknown): IncomingBundle {
  if (!isObject(input) || input.resourceType !== 'Bundle')
    throw invalid('Bundle', 'send a Bundle resource');
  const type = input.type;
  if (type !== 'transaction' && type !== 'batch')
    throw invalid('Bundle.type', 'transaction or batch');
  const entries = input.entry ?? [];
  if (!Array.isArray(entries)) throw invalid('Bundle.entry', 'a list of entries');
  if (entries.length > maxEntries) throw invalid('Bundle.entry', `at most ${maxEntries} entries`);
  return {
    type,
    entries: entries.map((raw: unknown, index): IncomingEntry => {
      const at = `Bundle.entry[${index}]`;
      if (!isObject(raw)) throw invalid(at, 'an entry object');
      const resource = raw.resource;
      if (!isObject(resource) || typeof resource.resourceType !== 'string')
        throw invalid(`${at}.resource`, 'a resource with a resourceType');
      if (nestsDeeperThan(resource, maxResourceDepth))
        throw invalid(`${at}.resource`, `nested at most ${maxResourceDepth} levels deep`);
      const request = raw.request;
      if (request !== undefined) {
        if (!isObject(request)) throw invalid(`${at}.request`, 'an object');
        if (request.method !== 'POST' && request.method !== 'PUT')
          throw invalid(`${at}.request.method`, 'POST or PUT (Continuity creates and updates)');
        if (typeof request.url !== 'string' || request.url.length > 2000)
          throw invalid(`${at}.request.url`, 'a URL');
      }
      if (raw.fullUrl !== undefined && typeof raw.fullUrl !== 'string')
        throw invalid(`${at}.fullUrl`, 'a URI');
      return {
        index,
        fullUrl: raw.fullUrl,
        resource: resource as unknown as Resource,
        url: isObject(request) ? (request.url as string) : undefined,
      };
    }),
  };
}

export function isImportable(type: string): type is ServedType {
  return (importableTypes as readonly string[]).includes(type);
}

/** Entries in the order they must be written: what others point at first. */
export function writeOrder(entries: readonly IncomingEntry[]): IncomingEntry[] {
  const rank = (e: IncomingEntry) => {
    const i = (servedTypes as readonly string[]).indexOf(e.resource.resourceType);
    return i < 0 ? servedTypes.length : i;
  };
  return [...entries].sort((a, b) => rank(a) - rank(b) || a.index - b.index);
}

/** Every `reference` string inside a resource. */
export function referencesIn(value: unknown, found: Set<string> = new Set()): Set<string> {
  if (Array.isArray(value)) {
    for (const item of value) referencesIn(item, found);
  } else if (isObject(value)) {
    for (const [key, item] of Object.entries(value)) {
      if (key === 'reference' && typeof item === 'string') found.add(item);
      else if (typeof item === 'object') referencesIn(item, found);
    }
  }
  return found;
}

/** A reference's parts: a literal `Type/id` (an absolute URL's last two segments) or a conditional one. */
export type ParsedReference =
  | { kind: 'literal'; type: string; id: string }
  | { kind: 'conditional'; type: string; identifier: TokenValue }
  | { kind: 'other' };

export function parseReference(reference: string): ParsedReference {
  const conditional = /^([A-Z][A-Za-z]+)\?identifier=(.+)$/.exec(reference);
  if (conditional?.[1] && conditional[2]) {
    let value: string;
    try {
      value = decodeURIComponent(conditional[2]);
    } catch {
      return { kind: 'other' };
    }
    return { kind: 'conditional', type: conditional[1], identifier: parseToken(value) };
  }
  const literal = /(?:^|\/)([A-Z][A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})$/.exec(reference);
  if (literal?.[1] && literal[2]) return { kind: 'literal', type: literal[1], id: literal[2] };
  return { kind: 'other' };
}

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The id a new entity takes: its Continuity id identifier, else the id in its PUT url or its own
 * id, when that is a UUID (so a round trip keeps ids); undefined means "make one".
 */
export function proposedId(entry: IncomingEntry): string | undefined {
  const fromIdentifier = identifiersOf(entry.resource)
    .map((i) => idFromIdentifier(i))
    .find((id) => id !== undefined);
  if (fromIdentifier) return fromIdentifier;
  const fromUrl = entry.url ? parseReference(entry.url) : undefined;
  if (fromUrl?.kind === 'literal' && uuid.test(fromUrl.id)) return fromUrl.id.toLowerCase();
  const own = entry.resource.id;
  return own !== undefined && uuid.test(own) ? own.toLowerCase() : undefined;
}

/** The identifiers of a resource, whatever its type (only those with a system and a value). */
export function identifiersOf(resource: Resource): { system: string; value: string }[] {
  const list = (resource as { identifier?: unknown }).identifier;
  if (!Array.isArray(list)) return [];
  return list.flatMap((i: unknown) =>
    isObject(i) && typeof i.system === 'string' && typeof i.value === 'string' && i.value !== ''
      ? [{ system: i.system, value: i.value }]
      : [],
  );
}

/** The identifiers an entry is matched by: its own, and its conditional URL's (`Patient?identifier=s|v`). */
export function matchIdentifiers(entry: IncomingEntry): { system: string; value: string }[] {
  const parsed = entry.url ? parseReference(entry.url) : undefined;
  const own = identifiersOf(entry.resource);
  if (parsed?.kind !== 'conditional' || !parsed.identifier.system) return own;
  return [...own, { system: parsed.identifier.system, value: parsed.identifier.code }];
}

/**
 * The informational outcome of a written entry: UPDATED or UNCHANGED (a 200 says neither), and
 * each element Continuity did not use.
 */
export function outcomeOf(
  outcome: 'created' | 'updated' | 'unchanged',
  unused: readonly string[],
): OperationOutcome | undefined {
  const said =
    outcome === 'created'
      ? []
      : [
          {
            severity: 'information' as const,
            code: 'informational' as const,
            details: {
              coding: [{ system: codeSystem('import'), code: outcome.toUpperCase() }],
            },
            diagnostics:
              outcome === 'updated' ? 'Updated.' : 'Already up to date; nothing changed.',
          },
        ];
  const issues = [
    ...said,
    ...unused.map((path) => ({
      severity: 'information' as const,
      code: 'informational' as const,
      details: { coding: [{ system: codeSystem('import'), code: 'NOT_USED' }] },
      diagnostics: `Continuity does not use ${path}; it was not stored.`,
      expression: [path],
    })),
  ];
  return issues.length === 0 ? undefined : { resourceType: 'OperationOutcome', issue: issues };
}

/** The response entry of a resource type Continuity does not keep. */
export function skippedEntry(type: string): BundleEntry {
  return {
    response: {
      status: '200 OK',
      outcome: {
        resourceType: 'OperationOutcome',
        issue: [
          {
            severity: 'information',
            code: 'not-supported',
            details: { coding: [{ system: codeSystem('import'), code: 'TYPE_NOT_USED' }] },
            diagnostics: `Continuity does not keep ${type.slice(0, 64)} resources; nothing was stored.`,
            expression: [type.slice(0, 64)],
          },
        ],
      },
    },
  };
}

/** The response entry of a new Practitioner that came without its PractitionerRole. */
export function waitingEntry(): BundleEntry {
  return {
    response: {
      status: '200 OK',
      outcome: {
        resourceType: 'OperationOutcome',
        issue: [
          {
            severity: 'warning',
            code: 'incomplete',
            details: { coding: [{ system: codeSystem('import'), code: 'NEEDS_ROLE' }] },
            diagnostics:
              'A new Practitioner is created with its PractitionerRole (location, discipline); none came in this Bundle, so nothing was stored.',
          },
        ],
      },
    },
  };
}

/** Problems of one entry, as the paths of the Bundle. */
export function entryProblems(index: number, problems: readonly Problem[]) {
  return problems.map((p) => ({
    field: `Bundle.entry[${index}].resource${p.path.replace(/^[A-Z][A-Za-z]+/, '')}`,
    problem: p.problem,
  }));
}

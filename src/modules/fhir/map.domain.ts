import type { CodeableConcept, Extension, Identifier, Resource } from '@medplum/fhirtypes';
import { codeSystem, extensionUrl, idIdentifier } from './fhir.domain.ts';

/*
 * What every mapper shares: identifiers out, positions, languages, and the bookkeeping of the
 * elements an import did not use, so that nothing is dropped without saying so.
 */

/** An identifier Continuity keeps from another system. */
export interface ExternalId {
  system: string;
  value: string;
}

/** A problem that stops one import entry: where, and what is wrong (never the value itself). */
export interface Problem {
  path: string;
  problem: string;
}

/** What an incoming resource maps to, and the elements Continuity did not use (FHIRPath-like). */
export interface Mapped<T> {
  value: T;
  unused: string[];
}

/** The id identifier first, then the natural ones, then those kept from other systems. */
export function identifiersOut(
  id: string,
  external: readonly ExternalId[],
  natural: readonly Identifier[] = [],
): Identifier[] {
  return [
    idIdentifier(id),
    ...natural,
    ...external.map((x) => ({ system: x.system, value: x.value })),
  ];
}

const geolocation = 'http://hl7.org/fhir/StructureDefinition/geolocation';

/** The standard geolocation extension (for an Address). */
export function toPosition(lat: number, lon: number): Extension {
  return {
    url: geolocation,
    extension: [
      { url: 'latitude', valueDecimal: lat },
      { url: 'longitude', valueDecimal: lon },
    ],
  };
}

export function fromPosition(
  extensions: readonly Extension[] | undefined,
): { lat: number; lon: number } | undefined {
  const geo = extensions?.find((e) => e.url === geolocation);
  const lat = geo?.extension?.find((e) => e.url === 'latitude')?.valueDecimal;
  const lon = geo?.extension?.find((e) => e.url === 'longitude')?.valueDecimal;
  return lat === undefined || lon === undefined ? undefined : { lat, lon };
}

const bcp47 = 'urn:ietf:bcp:47';

export function languageConcept(code: string): CodeableConcept {
  return { coding: [{ system: bcp47, code }] };
}

/** An ISO 639 language from a communication entry ("en-US" gives "en"). */
export function languageOf(entry: { language?: CodeableConcept } | undefined): string | undefined {
  const code = entry?.language?.coding?.find(
    (c) => c.system === bcp47 || c.system === undefined,
  )?.code;
  const base = code?.split('-')[0]?.toLowerCase();
  return base && /^[a-z]{2,3}$/.test(base) ? base : undefined;
}

/** The id of a `Type/id` reference, or of a bare id. */
export function referenceId(ref: string | undefined): string | undefined {
  if (ref === undefined) return undefined;
  return /^(?:[A-Z][A-Za-z]+\/)?([A-Za-z0-9\-.]{1,64})$/.exec(ref)?.[1];
}

/**
 * The extensions of one element, read by name; each one read is marked used, the rest are
 * reported by `Unused.list()`.
 */
export class ExtensionReader {
  readonly #list: readonly Extension[];
  readonly #used = new Set<Extension>();

  constructor(list: readonly Extension[] | undefined) {
    this.#list = list ?? [];
  }

  #take(name: string): Extension[] {
    const url = extensionUrl(name);
    const found = this.#list.filter((e) => e.url === url);
    for (const e of found) this.#used.add(e);
    return found;
  }

  codings(name: string, vocabulary: string): string[] {
    const system = codeSystem(vocabulary);
    return this.#take(name).flatMap((e) =>
      e.valueCoding?.system === system && e.valueCoding.code ? [e.valueCoding.code] : [],
    );
  }

  codes(name: string): string[] {
    return this.#take(name).flatMap((e) => (e.valueCode ? [e.valueCode] : []));
  }

  boolean(name: string): boolean | undefined {
    return this.#take(name).find((e) => e.valueBoolean !== undefined)?.valueBoolean;
  }

  string(name: string): string | undefined {
    return this.#take(name).find((e) => e.valueString !== undefined)?.valueString;
  }

  integer(name: string): number | undefined {
    return this.#take(name).find((e) => e.valueInteger !== undefined)?.valueInteger;
  }

  decimal(name: string): number | undefined {
    return this.#take(name).find((e) => e.valueDecimal !== undefined)?.valueDecimal;
  }

  date(name: string): string | undefined {
    return this.#take(name).find((e) => e.valueDate !== undefined)?.valueDate;
  }

  dateTime(name: string): Date | undefined {
    const text = this.#take(name).find((e) => e.valueDateTime !== undefined)?.valueDateTime;
    return text === undefined ? undefined : new Date(text);
  }

  references(name: string): string[] {
    return this.#take(name).flatMap((e) =>
      e.valueReference?.reference ? [e.valueReference.reference] : [],
    );
  }

  /** The extensions nobody read, by URL. */
  unread(): string[] {
    return this.#list.filter((e) => !this.#used.has(e)).map((e) => e.url);
  }
}

/** Collects what an import leaves unused in one resource. */
export class Unused {
  readonly #type: string;
  readonly #found: string[] = [];
  readonly #readers: { path: string; reader: ExtensionReader }[] = [];

  /** Every top-level element of `resource` not in `handled` is unused. */
  constructor(type: string, resource: Resource, handled: ReadonlySet<string>) {
    this.#type = type;
    for (const key of Object.keys(resource)) {
      if (!handled.has(key) && !key.startsWith('_')) this.#found.push(`${type}.${key}`);
    }
  }

  /** A reader for the extensions at `path` (the resource's own when omitted). */
  extensions(list: readonly Extension[] | undefined, path = ''): ExtensionReader {
    const reader = new ExtensionReader(list);
    this.#readers.push({ path, reader });
    return reader;
  }

  /** Reports the fields of a nested element not in `handled`. */
  nested(path: string, value: object | undefined, handled: readonly string[]): void {
    if (value === undefined) return;
    for (const key of Object.keys(value)) {
      if (!handled.includes(key)) this.#found.push(`${this.#type}.${path}.${key}`);
    }
  }

  /** Reports an element by path. */
  add(path: string): void {
    this.#found.push(`${this.#type}.${path}`);
  }

  list(): string[] {
    const extensions = this.#readers.flatMap(({ path, reader }) =>
      reader.unread().map((url) => `${this.#type}${path ? `.${path}` : ''}.extension('${url}')`),
    );
    return [...new Set([...this.#found, ...extensions])].sort();
  }
}

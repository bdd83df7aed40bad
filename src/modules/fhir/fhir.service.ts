import type { Bundle, CapabilityStatement, Resource } from '@medplum/fhirtypes';
import type { ServiceDeps } from '../../context.ts';
import { AppError } from '../../shared/errors.ts';
import { isAllowed } from '../auth/policy.domain.ts';
import { listed, type AccessRecord } from '../audit/access.service.ts';
import { capabilityStatement } from './capability.domain.ts';
import { isServedType, servedTypes, systems, type ServedType } from './fhir.domain.ts';
import { parseSearch, valuesOf, type ParsedSearch } from './search.domain.ts';
import { sources, type Found, type ResourceSource, type SearchScope } from './sources.ts';
import { softwareVersion } from '../../shared/version.ts';

export type FhirService = ReturnType<typeof createFhirService>;

/** Page keys as opaque cursors. */
export function encodeKey(key: string): string {
  return Buffer.from(key, 'utf8').toString('base64url');
}

export function decodeKey(cursor: string): string {
  const key = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!/^[A-Za-z0-9\-.]{1,64}$/.test(key))
    throw new AppError('BAD_CURSOR', 'The cursor is not one this server gave out.');
  return key;
}

export function sourceOf(type: string): ResourceSource {
  const source = isServedType(type) ? sources.get(type) : undefined;
  if (!source)
    throw new AppError('NOT_FOUND', `This server does not serve ${type.slice(0, 64)}.`, {
      supported: [...sources.keys()],
    });
  return source;
}

/** The query string of a search as FHIR writes it, for the Bundle's links. */
function queryText(
  query: Readonly<Record<string, string | string[] | undefined>>,
  cursor?: string,
) {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) {
    if (name === '_cursor' || value === undefined) continue;
    for (const v of [value].flat()) params.append(name, v);
  }
  if (cursor !== undefined) params.append('_cursor', cursor);
  const text = params.toString();
  return text ? `?${text}` : '';
}

/**
 * FHIR R4 reads and searches, as the actor may make them. Each type needs its data's permission
 * (FORBIDDEN otherwise, audited when it is patient data); every patient a result names is audited:
 * a read as an event per patient, a search as one event naming every resource and patient of its
 * page. Throws NOT_FOUND (type or id), VALIDATION_FAILED (a bad or unsupported parameter),
 * BAD_CURSOR.
 */
export function createFhirService({ db, clock, access }: ServiceDeps) {
  const scopeOf = (): SearchScope => ({
    patients: isAllowed(access.actor.role, 'patients:read'),
    groupId: null,
  });

  /**
   * A read is an event per patient the resource names; a search, one event naming each resource
   * of its page with each of its patients. Reading the trail itself is recorded with a count.
   */
  async function audit(
    action: 'fhir.read' | 'fhir.search',
    type: ServedType,
    found: readonly Found[],
    detail: Record<string, unknown>,
  ) {
    const pairs = found.flatMap((f) =>
      f.patientIds.map((patientId) => ({ id: f.resource.id ?? '', patientId })),
    );
    const records: AccessRecord[] =
      action === 'fhir.search'
        ? listed(action, type, pairs, detail)
        : pairs.map(({ id, patientId }) => ({
            action,
            entity: type,
            entityId: /^[0-9a-f-]{36}$/.test(id) ? id : null,
            patientId,
            detail,
          }));
    if (type === 'AuditEvent')
      records.push({ action, entity: type, detail: { ...detail, count: found.length } });
    if (records.length > 0) await access.record(records);
  }

  async function requireFor(source: ResourceSource, action: string) {
    const sensitive = source.permission !== 'catalogue:read';
    await access.require(
      source.permission,
      sensitive ? { action, entity: source.type } : undefined,
    );
  }

  return {
    /** The CapabilityStatement; anyone may read it. */
    capability(baseUrl: string): CapabilityStatement {
      return capabilityStatement(
        baseUrl,
        softwareVersion,
        clock.now().toISOString(),
        servedTypes.flatMap((type) => {
          const source = sources.get(type);
          return source ? [{ type, params: source.params }] : [];
        }),
      );
    },

    /** One resource by id. */
    async read(type: string, id: string): Promise<Resource> {
      const source = sourceOf(type);
      await requireFor(source, 'fhir.read');
      const search: ParsedSearch = {
        params: new Map([['_id', [[{ kind: 'token', value: { system: undefined, code: id } }]]]]),
        count: 1,
        after: null,
      };
      const [found] = await source.search(db, search, scopeOf());
      if (!found) throw new AppError('NOT_FOUND', `No ${source.type} with id ${id.slice(0, 64)}.`);
      await audit('fhir.read', source.type, [found], {});
      return found.resource;
    },

    /**
     * A searchset Bundle: one page, with `self` and `next` links under `baseUrl`. `viaPost` is set
     * for POST _search, the only way to search patients by a record number (URLs are logged;
     * record numbers must not be).
     */
    async search(
      type: string,
      query: Readonly<Record<string, string | string[] | undefined>>,
      baseUrl: string,
      viaPost = false,
    ): Promise<Bundle> {
      const source = sourceOf(type);
      await requireFor(source, 'fhir.search');
      const search = parseSearch(query, source.params, decodeKey);
      const byRecord =
        source.type === 'Patient' &&
        valuesOf(search, 'identifier', 'token')
          .flat()
          .some((token) => token.system !== systems.uri);
      if (byRecord && !viaPost)
        throw new AppError(
          'VALIDATION_FAILED',
          'Search patients by record number with POST Patient/_search, so it stays out of URLs.',
          { issues: [{ field: 'query.identifier', problem: 'send by POST _search' }] },
        );
      const found = await source.search(db, search, scopeOf());
      const page = found.slice(0, search.count);
      const last = page.at(-1);
      await audit('fhir.search', source.type, page, { params: [...search.params.keys()].sort() });
      // A search by record number has no links: they would carry the number into a URL.
      const more = found.length > search.count && last !== undefined;
      const links = byRecord
        ? []
        : [
            { relation: 'self', url: `${baseUrl}/${source.type}${queryText(query)}` },
            ...(more
              ? [
                  {
                    relation: 'next',
                    url: `${baseUrl}/${source.type}${queryText(query, encodeKey(last.key))}`,
                  },
                ]
              : []),
          ];
      return {
        resourceType: 'Bundle',
        type: 'searchset',
        timestamp: clock.now().toISOString(),
        ...(links.length > 0 ? { link: links } : {}),
        entry: page.map((f) => ({
          fullUrl: `${baseUrl}/${source.type}/${f.resource.id ?? ''}`,
          resource: f.resource,
          search: { mode: 'match' as const },
        })),
      };
    },
  };
}

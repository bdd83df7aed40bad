import type { Bundle, BundleEntry, Resource } from '@medplum/fhirtypes';

/*
 * Large inputs (NDJSON files, a bulk export) are imported as a run of transaction Bundles, each all
 * or nothing. Resources must come in write order (what others point at first: servedTypes). A
 * clinician is one Practitioner plus its PractitionerRole, and only the pair can create one, so
 * Practitioners wait for the Bundle that carries their role.
 */

export const defaultChunkSize = 500;

function entryOf(resource: Resource): BundleEntry {
  const id = resource.id;
  return {
    ...(id ? { fullUrl: `${resource.resourceType}/${id}` } : {}),
    resource,
    request: id
      ? { method: 'PUT', url: `${resource.resourceType}/${id}` }
      : { method: 'POST', url: resource.resourceType },
  };
}

const bundleOf = (resources: readonly Resource[]): Bundle => ({
  resourceType: 'Bundle',
  type: 'transaction',
  entry: resources.map(entryOf),
});

/** Transaction Bundles of at most `size` resources (a role's Practitioner rides along with it). */
export async function* importBundles(
  resources: AsyncIterable<Resource> | Iterable<Resource>,
  size = defaultChunkSize,
): AsyncGenerator<{ bundle: Bundle; resources: number }> {
  const practitioners = new Map<string, Resource>();
  let chunk: Resource[] = [];
  let counted = 0;
  for await (const resource of resources) {
    if (resource.resourceType === 'Practitioner' && resource.id) {
      practitioners.set(`Practitioner/${resource.id}`, resource);
      continue;
    }
    chunk.push(resource);
    counted += 1;
    if (resource.resourceType === 'PractitionerRole') {
      const key = resource.practitioner?.reference ?? '';
      const practitioner = practitioners.get(key);
      if (practitioner) {
        chunk.push(practitioner);
        practitioners.delete(key);
        counted += 1;
      }
    }
    if (chunk.length >= size) {
      yield { bundle: bundleOf(chunk), resources: counted };
      chunk = [];
      counted = 0;
    }
  }
  // Practitioners whose role never came update clinicians that exist, if any.
  for (const practitioner of practitioners.values()) {
    chunk.push(practitioner);
    counted += 1;
    if (chunk.length >= size) {
      yield { bundle: bundleOf(chunk), resources: counted };
      chunk = [];
      counted = 0;
    }
  }
  if (chunk.length > 0) yield { bundle: bundleOf(chunk), resources: counted };
}

import { z } from 'zod';
import { idParams, instant, pageOf, pageQuery, version } from '../../http/codecs.ts';

const fields = {
  serviceAreaId: z.uuid(),
  name: z.string().trim().min(1).max(200),
  address: z.string().trim().min(1).max(500),
  lat: z.number().min(-90).max(90),
  lon: z.number().min(-180).max(180),
  accessible: z.boolean(),
};

export const locationSchema = z.object({
  id: z.uuid(),
  ...fields,
  version: z.number().int(),
  createdAt: instant,
  updatedAt: instant,
});

// Defaults belong to creation only: in a PATCH an absent field means "leave it as it is".
export const createLocationBody = z.strictObject({
  ...fields,
  accessible: fields.accessible.default(true),
});
export const updateLocationBody = z.strictObject({
  version,
  ...z.object(fields).partial().shape,
});
export const listLocationsQuery = z.strictObject({
  ...pageQuery,
  serviceAreaId: fields.serviceAreaId.optional(),
});
export const locationPage = pageOf(locationSchema);
export { idParams };

import { z } from 'zod';
import { idParams, instant, pageOf, pageQuery, version } from '../../http/codecs.ts';

const fields = {
  code: z.string().regex(/^[A-Z0-9_]{2,16}$/, 'must be 2–16 capitals, digits or _'),
  name: z.string().trim().min(1).max(200),
  lat: z.number().min(-90).max(90),
  lon: z.number().min(-180).max(180),
  members: z.number().int().min(0).max(100_000_000),
};

export const serviceAreaSchema = z.object({
  id: z.uuid(),
  ...fields,
  version: z.number().int(),
  createdAt: instant,
  updatedAt: instant,
});

export const createServiceAreaBody = z.strictObject(fields);
export const updateServiceAreaBody = z.strictObject({
  version,
  ...z.object(fields).partial().shape,
});
export const listServiceAreasQuery = z.strictObject({ ...pageQuery, code: fields.code.optional() });
export const serviceAreaPage = pageOf(serviceAreaSchema);
export { idParams };

import { z } from 'zod';

/** An instant: ISO 8601 with offset on the wire, a Date inside. */
export const instant = z.codec(z.iso.datetime({ offset: true }), z.date(), {
  decode: (text) => new Date(text),
  encode: (date) => date.toISOString(),
});

/** A calendar date, YYYY-MM-DD, kept as text (no time zone can shift it). */
export const calendarDate = z.iso.date();

export const id = z.uuid({ version: 'v7' }).or(z.uuid());

export const idParams = z.object({ id: z.uuid() });

export const version = z
  .number()
  .int()
  .min(1)
  .describe('The version you read; a stale one answers 409.');

export const pageQuery = {
  cursor: z.string().max(200).optional().describe('The nextCursor of the previous page.'),
  limit: z.coerce.number().int().min(1).max(500).default(50),
};

export function pageOf<T extends z.ZodType>(item: T) {
  return z.object({ items: z.array(item), nextCursor: z.string().nullable() });
}

export const errorBody = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    details: z.unknown().optional(),
  }),
});

/** Comma-separated or repeated query values, e.g. ?specialty=ptsd,grief. */
export function listOf<T extends z.ZodType<string>>(item: T) {
  return z.preprocess(
    (value) => (typeof value === 'string' ? value.split(',').filter(Boolean) : value),
    z.array(item).max(50),
  );
}

/** Query booleans: 'true' or 'false' only. */
export const queryBoolean = z.enum(['true', 'false']).transform((value) => value === 'true');

import { z } from 'zod';
import { directoryFormats } from './directory.domain.ts';

export const directoryFormatQuery = z.strictObject({
  format: z
    .enum(directoryFormats)
    .describe('csv (one provider a row) or hsds (Open Referral HSDS 3 JSON, one service each)'),
});

const rejectedRow = z.object({
  row: z
    .union([z.number().int(), z.string()])
    .describe('The CSV row number (the header is row 1), or the HSDS service id'),
  problems: z.array(z.string()),
});

export const importReportSchema = z.object({
  format: z.enum(directoryFormats),
  rows: z.number().int(),
  imported: z.number().int(),
  updated: z.number().int(),
  unchanged: z.number().int(),
  rejected: z.array(rejectedRow),
  unused: z
    .array(z.object({ field: z.string(), count: z.number().int() }))
    .describe('Fields of the file Continuity has no place for'),
  committed: z.boolean().describe('False when any row was rejected: then nothing was written'),
});

/** The body of an import: the file's text, as CSV or JSON. */
export const importBody = z.string().describe('The file: text/csv, or application/json for hsds');

export const exportBody = z
  .string()
  .describe('The directory as text/csv, or application/json (an HSDS page of services)');

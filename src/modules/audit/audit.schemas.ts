import { z } from 'zod';
import { errorBody, instant, pageOf, pageQuery } from '../../http/codecs.ts';
import { errorResponses } from '../../http/responses.ts';

const outcome = z.enum(['allowed', 'denied']);
const text = z.string().min(1).max(200);

export const auditEventSchema = z.object({
  seq: z.number().int().describe('Position in the chain.'),
  at: instant,
  actor: z.string().describe('user:<id>, token:<id>, cli:<os user> or anonymous.'),
  action: z.string().describe('<entity>.<verb>, e.g. patient.read.'),
  entity: z.string(),
  entityId: z.string().nullable(),
  patientId: z.uuid().nullable(),
  entityIds: z
    .array(z.string())
    .readonly()
    .nullable()
    .describe('The records a list showed, in its order; null for an event about one record.'),
  patientIds: z
    .array(z.uuid())
    .readonly()
    .nullable()
    .describe('The patient of each of entityIds, in order.'),
  ip: z.string().nullable(),
  outcome,
  detail: z.record(z.string(), z.unknown()).describe('Ids, counts and filters only.'),
  hash: z.string().describe('SHA-256 over the event and the previous event’s hash.'),
});

export const searchAuditQuery = z.strictObject({
  ...pageQuery,
  patientId: z.uuid().optional(),
  actor: text.optional().describe('The actor label, exactly.'),
  entity: text.optional(),
  entityId: text.optional(),
  action: text.optional(),
  outcome: outcome.optional(),
  from: instant.optional().describe('Events at or after this instant.'),
  to: instant.optional().describe('Events before this instant.'),
});

export const auditEventPage = pageOf(auditEventSchema);

export const auditErrors = { ...errorResponses, 401: errorBody, 403: errorBody } as const;

import { z } from 'zod';
import {
  calendarDate,
  idParams,
  instant,
  pageOf,
  pageQuery,
  queryBoolean,
  version,
} from '../../http/codecs.ts';
import { languagePattern, needs, specialties } from '../vocabulary/vocabulary.domain.ts';
import { contactChannels, risks } from './patients.domain.ts';

// Messages here name the rule, never the value sent: these fields identify a person.
const language = z.string().regex(languagePattern, 'must be an ISO 639 code such as en or es');

const contactPreferences = z.strictObject({
  channels: z.array(z.enum(contactChannels)).max(contactChannels.length).optional(),
  bestTime: z.string().trim().max(100).optional(),
  doNotLeaveMessage: z.boolean().optional(),
});

const fields = {
  mrn: z.string().regex(/^[A-Z0-9-]{4,20}$/, 'must be 4–20 capitals, digits or -'),
  name: z.string().trim().min(1).max(200),
  birthDate: calendarDate.refine((date) => date >= '1900-01-01', 'must be 1900-01-01 or later'),
  language,
  serviceAreaId: z.uuid(),
  lat: z.number().min(-90).max(90),
  lon: z.number().min(-180).max(180),
  needs: z.array(z.enum(needs)).max(needs.length),
  conditions: z.array(z.enum(specialties)).max(specialties.length),
  risk: z.enum(risks),
  dischargedAt: instant.nullable(),
  perinatal: z.boolean(),
  contactPreferences,
};

export const patientSchema = z.object({
  id: z.uuid(),
  ...fields,
  version: z.number().int(),
  createdAt: instant,
  updatedAt: instant,
});

// Defaults belong to creation only: in a PATCH an absent field means "leave it as it is".
export const createPatientBody = z.strictObject({
  ...fields,
  needs: fields.needs.default([]),
  conditions: fields.conditions.default([]),
  risk: fields.risk.default('low'),
  dischargedAt: fields.dischargedAt.default(null),
  perinatal: fields.perinatal.default(false),
  contactPreferences: fields.contactPreferences.default({}),
});
export const updatePatientBody = z.strictObject({
  version,
  ...z.object(fields).partial().shape,
});
/** No filter on MRN, name or birth date: they would end up in URLs and access logs. */
export const listPatientsQuery = z.strictObject({
  ...pageQuery,
  serviceAreaId: z.uuid().optional(),
  risk: fields.risk.optional(),
  perinatal: queryBoolean.optional(),
  language: language.optional(),
  recentlyDischarged: queryBoolean.optional(),
});
export const patientPage = pageOf(patientSchema);
export { idParams };

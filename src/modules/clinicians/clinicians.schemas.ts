import { z } from 'zod';
import { idParams, instant, pageOf, pageQuery, version } from '../../http/codecs.ts';
import {
  certifications,
  disciplines,
  languagePattern,
  specialties,
} from '../vocabulary/vocabulary.domain.ts';
import { clinicianStatuses } from './clinicians.domain.ts';

const language = z.string().regex(languagePattern, 'must be an ISO 639 code such as en or es');

const fields = {
  npi: z.string().regex(/^[0-9]{10}$/, 'must be 10 digits'),
  name: z.string().trim().min(1).max(200),
  discipline: z.enum(disciplines),
  specialties: z.array(z.enum(specialties)).max(specialties.length),
  languages: z.array(language).min(1).max(20),
  certifications: z.array(z.enum(certifications)).max(certifications.length),
  locationId: z.uuid(),
  // Stored as numeric(3,2): hundredths only, so that what is sent is what is kept.
  fte: z.number().gt(0).max(1).multipleOf(0.01),
  status: z.enum(clinicianStatuses),
};

export const clinicianSchema = z.object({
  id: z.uuid(),
  ...fields,
  version: z.number().int(),
  createdAt: instant,
  updatedAt: instant,
});

// Defaults belong to creation only: in a PATCH an absent field means "leave it as it is".
export const createClinicianBody = z.strictObject({
  ...fields,
  specialties: fields.specialties.default([]),
  certifications: fields.certifications.default([]),
  status: fields.status.default('active'),
});
export const updateClinicianBody = z.strictObject({
  version,
  ...z.object(fields).partial().shape,
});
export const listCliniciansQuery = z.strictObject({
  ...pageQuery,
  locationId: z.uuid().optional(),
  serviceAreaId: z.uuid().optional(),
  specialty: z.enum(specialties).optional(),
  language: language.optional(),
  discipline: fields.discipline.optional(),
  status: fields.status.optional(),
  certification: z.enum(certifications).optional(),
});
export const clinicianPage = pageOf(clinicianSchema);
export { idParams };

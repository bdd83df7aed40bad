import { z } from 'zod';
import { idParams, instant, pageOf, pageQuery, queryBoolean, version } from '../../http/codecs.ts';
import {
  accommodations,
  certifications,
  languagePattern,
  providerModalities,
  specialties,
} from '../vocabulary/vocabulary.domain.ts';

const language = z.string().regex(languagePattern, 'must be an ISO 639 code such as en or es');

const fields = {
  name: z.string().trim().min(1).max(200),
  organization: z.string().trim().min(1).max(200).nullable(),
  npi: z
    .string()
    .regex(/^[0-9]{10}$/, 'must be 10 digits')
    .nullable(),
  specialties: z.array(z.enum(specialties)).max(specialties.length),
  languages: z.array(language).min(1).max(20),
  certifications: z.array(z.enum(certifications)).max(certifications.length),
  modality: z.enum(providerModalities),
  lat: z.number().min(-90).max(90),
  lon: z.number().min(-180).max(180),
  accommodations: z.array(z.enum(accommodations)).max(accommodations.length),
  weeklyCapacity: z.number().int().min(0).max(1000),
  accepting: z.boolean(),
  capacityConfirmedAt: instant.nullable(),
};

export const outsideProviderSchema = z.object({
  id: z.uuid(),
  ...fields,
  version: z.number().int(),
  createdAt: instant,
  updatedAt: instant,
});

// Defaults belong to creation only: in a PATCH an absent field means "leave it as it is".
export const createOutsideProviderBody = z.strictObject({
  ...fields,
  organization: fields.organization.default(null),
  npi: fields.npi.default(null),
  specialties: fields.specialties.default([]),
  certifications: fields.certifications.default([]),
  accommodations: fields.accommodations.default([]),
  accepting: fields.accepting.default(true),
  capacityConfirmedAt: fields.capacityConfirmedAt.default(null),
});
export const updateOutsideProviderBody = z.strictObject({
  version,
  ...z.object(fields).partial().shape,
});
export const listOutsideProvidersQuery = z.strictObject({
  ...pageQuery,
  specialty: z.enum(specialties).optional(),
  language: language.optional(),
  certification: z.enum(certifications).optional(),
  modality: fields.modality
    .optional()
    .describe('Providers who offer it: virtual includes those who see patients both ways.'),
  accepting: queryBoolean.optional(),
  accommodation: z.enum(accommodations).optional(),
});
export const outsideProviderPage = pageOf(outsideProviderSchema);
export { idParams };

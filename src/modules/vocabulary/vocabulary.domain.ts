/**
 * The shared words of the catalogue: specialties, accommodations, disciplines, modalities.
 * The database enforces the same lists with CHECK constraints (see src/db/migrations).
 */

export const specialties = [
  'perinatal_mood_anxiety',
  'perinatal_psychosis_risk',
  'birth_trauma',
  'psychosis',
  'ptsd',
  'eating_disorders',
  'depression',
  'general_anxiety',
  'social_anxiety',
  'ocd',
  'bipolar',
  'substance_use',
  'grief',
  'dbt_skills',
  'anger_management',
  'adolescent_mood',
] as const;
export type Specialty = (typeof specialties)[number];

/** A place-or-format feature of a group that a patient may require. */
export const accommodations = ['baby_friendly', 'interpreter', 'evening', 'wheelchair'] as const;
export type Accommodation = (typeof accommodations)[number];

/** What a patient needs: the accommodations, plus constraints on how care is delivered. */
export const needs = [...accommodations, 'telehealth_only', 'in_person_only'] as const;
export type Need = (typeof needs)[number];

export const disciplines = [
  'psychiatrist',
  'psychiatric_np',
  'psychologist',
  'lcsw',
  'lmft',
  'lpcc',
  'addiction_counselor',
] as const;
export type Discipline = (typeof disciplines)[number];

/** Physicians are held to the 15-business-day non-urgent standard; everyone else to 10. */
export const physicianDisciplines: readonly Discipline[] = ['psychiatrist'];

export const certifications = ['pmh_c', 'dbt_certified', 'emdr', 'cadc'] as const;
export type Certification = (typeof certifications)[number];

export const groupModalities = ['in_person', 'virtual'] as const;
export type GroupModality = (typeof groupModalities)[number];

export const providerModalities = ['in_person', 'virtual', 'both'] as const;
export type ProviderModality = (typeof providerModalities)[number];

/** Languages as ISO 639 codes. */
export const languagePattern = /^[a-z]{2,3}$/;

/** Group size defaults (DOMAIN.md: Medicare LCD L33632 and the clinical literature). */
export const groupSize = { target: 8, minimum: 5, maximum: 12 } as const;

import type {
  Accommodation,
  Certification,
  Discipline,
  Need,
  Specialty,
} from '../vocabulary/vocabulary.domain.ts';
import { accommodations, needs } from '../vocabulary/vocabulary.domain.ts';
import type { Rng, Weighted } from './prng.domain.ts';

/*
 * The shares the generator draws with. They are plausible, not measured: a synthetic region for
 * demonstrations and benchmarks, shaped like DOMAIN.md's situation.
 */

/** How often each specialty is a group's focus. */
export const groupSpecialtyShares = [
  ['depression', 14],
  ['general_anxiety', 14],
  ['ptsd', 9],
  ['dbt_skills', 8],
  ['substance_use', 8],
  ['perinatal_mood_anxiety', 6],
  ['social_anxiety', 6],
  ['adolescent_mood', 6],
  ['bipolar', 5],
  ['grief', 5],
  ['psychosis', 4],
  ['eating_disorders', 4],
  ['ocd', 4],
  ['anger_management', 3],
  ['birth_trauma', 2],
  ['perinatal_psychosis_risk', 1],
] as const satisfies Weighted<Specialty>;

export const perinatalSpecialties: ReadonlySet<string> = new Set<Specialty>([
  'perinatal_mood_anxiety',
  'perinatal_psychosis_risk',
  'birth_trauma',
]);

/** Conditions of patients who are not perinatal (adolescent_mood only for the youngest). */
export const conditionShares: Weighted<Specialty> = groupSpecialtyShares.filter(
  ([specialty]) => !perinatalSpecialties.has(specialty),
);

export const perinatalConditionShares = [
  ['perinatal_mood_anxiety', 80],
  ['birth_trauma', 12],
  ['perinatal_psychosis_risk', 8],
] as const satisfies Weighted<Specialty>;

/** Group names: what each kind of group is called. */
export const specialtyLabels = {
  perinatal_mood_anxiety: 'Perinatal Mood Support',
  perinatal_psychosis_risk: 'Perinatal Wellness',
  birth_trauma: 'Birth Trauma Recovery',
  psychosis: 'Early Psychosis Skills',
  ptsd: 'Trauma Recovery',
  eating_disorders: 'Eating Disorders Recovery',
  depression: 'Depression CBT',
  general_anxiety: 'Anxiety Management',
  social_anxiety: 'Social Confidence',
  ocd: 'OCD Exposure Skills',
  bipolar: 'Bipolar Wellness',
  substance_use: 'Recovery Skills',
  grief: 'Grief and Loss',
  dbt_skills: 'DBT Skills',
  anger_management: 'Anger Management',
  adolescent_mood: 'Teen Mood',
} as const satisfies Record<Specialty, string>;

/** Mostly therapists (LCSW, LMFT, psychologists); about 10% psychiatrists. */
export const disciplineShares = [
  ['lcsw', 30],
  ['lmft', 25],
  ['psychologist', 20],
  ['psychiatrist', 10],
  ['lpcc', 7],
  ['psychiatric_np', 5],
  ['addiction_counselor', 3],
] as const satisfies Weighted<Discipline>;

export const providerDisciplineShares = [
  ['lmft', 35],
  ['lcsw', 30],
  ['psychologist', 20],
  ['lpcc', 8],
  ['psychiatrist', 5],
  ['psychiatric_np', 2],
] as const satisfies Weighted<Discipline>;

export const credentialOf = {
  psychiatrist: 'MD',
  psychiatric_np: 'PMHNP',
  psychologist: 'PsyD',
  lcsw: 'LCSW',
  lmft: 'LMFT',
  lpcc: 'LPCC',
  addiction_counselor: 'CADC',
} as const satisfies Record<Discipline, string>;

const prescriberSpecialtyShares = [
  ['depression', 10],
  ['bipolar', 8],
  ['psychosis', 8],
  ['general_anxiety', 6],
  ['perinatal_psychosis_risk', 3],
  ['perinatal_mood_anxiety', 3],
  ['ocd', 3],
  ['adolescent_mood', 3],
  ['substance_use', 3],
] as const satisfies Weighted<Specialty>;

/** 1–3 specialties fitting a discipline. */
export function specialtiesFor(rng: Rng, discipline: Discipline): Specialty[] {
  const count = rng.weighted([
    [1, 30],
    [2, 45],
    [3, 25],
  ] as const);
  switch (discipline) {
    case 'addiction_counselor':
      return rng.chance(0.3) ? ['substance_use', 'anger_management'] : ['substance_use'];
    case 'psychiatrist':
    case 'psychiatric_np':
      return rng.distinct(prescriberSpecialtyShares, count);
    case 'psychologist':
    case 'lcsw':
    case 'lmft':
    case 'lpcc':
      return rng.distinct(groupSpecialtyShares, count);
  }
}

/** Certifications follow specialties: PMH-C mostly among perinatal specialists. */
export function certificationsFor(
  rng: Rng,
  discipline: Discipline,
  specialties: readonly string[],
): Certification[] {
  const has = (specialty: Specialty) => specialties.includes(specialty);
  const perinatal = specialties.some((specialty) => perinatalSpecialties.has(specialty));
  const out: Certification[] = [];
  if (rng.chance(perinatal ? 0.45 : 0.005)) out.push('pmh_c');
  if (has('dbt_skills') && rng.chance(0.5)) out.push('dbt_certified');
  if (rng.chance(has('ptsd') || has('birth_trauma') ? 0.35 : 0.03)) out.push('emdr');
  if (rng.chance(discipline === 'addiction_counselor' ? 0.9 : has('substance_use') ? 0.1 : 0))
    out.push('cadc');
  return out;
}

/** English for everyone; Spanish for about 30%; a few speak one more language. */
export function staffLanguages(rng: Rng): string[] {
  const languages = ['en'];
  if (rng.chance(0.3)) languages.push('es');
  const other = rng.weighted([
    ['', 85],
    ['zh', 3],
    ['tl', 3],
    ['vi', 2],
    ['ko', 2],
    ['hy', 2],
    ['fa', 2],
    ['ru', 1],
  ] as const);
  if (other) languages.push(other);
  return languages;
}

/** A patient's preferred language. */
export const patientLanguageShares = [
  ['en', 68],
  ['es', 24],
  ['zh', 2],
  ['vi', 1.5],
  ['tl', 1.5],
  ['ko', 1],
  ['hy', 1],
  ['fa', 0.5],
  ['ru', 0.5],
] as const satisfies Weighted<string>;

export const otherLanguageShares: Weighted<string> = patientLanguageShares.filter(
  ([language]) => language !== 'en',
);

/** Vocabulary order, so that equal sets are equal arrays. */
export function sortedAccommodations(set: ReadonlySet<Accommodation>): Accommodation[] {
  return accommodations.filter((a) => set.has(a));
}

export function sortedNeeds(set: ReadonlySet<Need>): Need[] {
  return needs.filter((n) => set.has(n));
}

/**
 * A 10-digit NPI with a valid check digit (Luhn over the card-issuer prefix 80840, as CMS
 * specifies), unique within `taken`.
 */
export function drawNpi(rng: Rng, taken: Set<string>): string {
  for (;;) {
    const body = `${rng.int(1, 2)}${String(rng.int(0, 99_999_999)).padStart(8, '0')}`;
    const npi = body + luhnCheckDigit(`80840${body}`);
    if (!taken.has(npi)) {
      taken.add(npi);
      return npi;
    }
  }
}

export function luhnCheckDigit(payload: string): string {
  let sum = 0;
  for (let i = payload.length - 1, double = true; i >= 0; i--, double = !double) {
    let digit = Number(payload[i]);
    if (double) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return String((10 - (sum % 10)) % 10);
}

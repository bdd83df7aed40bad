/* Small shared words and formats for the referral, grievance and group pages. */

/** A date and time as a person reads it, in the browser's time zone. */
export function when(value: string | null | undefined): string {
  if (!value) return '—';
  return new Date(value).toLocaleString('en-US', { dateStyle: 'medium', timeStyle: 'short' });
}

/** A calendar day as a person reads it. */
export function day(value: string | null | undefined): string {
  if (!value) return '—';
  return new Date(value).toLocaleDateString('en-US', { dateStyle: 'medium' });
}

/** snake_case vocabulary as words: no_show → no show. */
export function words(value: string): string {
  return value.replace(/_/g, ' ');
}

/** Words with a capital first letter, for labels. */
export function label(value: string): string {
  const text = words(value);
  return text.charAt(0).toUpperCase() + text.slice(1);
}

export function hours(value: number): string {
  return value.toLocaleString('en-US', { maximumFractionDigits: 2 });
}

const acronyms: Record<string, string> = {
  lcsw: 'LCSW',
  lmft: 'LMFT',
  lpcc: 'LPCC',
  psychiatric_np: 'Psychiatric NP',
  pmh_c: 'PMH-C',
  dbt_certified: 'DBT certified',
  emdr: 'EMDR',
  cadc: 'CADC',
  ptsd: 'PTSD',
  ocd: 'OCD',
  dbt_skills: 'DBT skills',
};

/** A discipline, certification or specialty as clinicians write it (LCSW, PMH-C, PTSD). */
export function term(value: string): string {
  return acronyms[value] ?? label(value);
}

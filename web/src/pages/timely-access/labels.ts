/*
 * The API's codes in words, for the timely-access, care-gaps and overview pages: one place, so a
 * standard or a tier reads the same everywhere.
 */

export const standardLabels: Record<string, string> = {
  urgent_48_hours: 'Urgent, 48 hours',
  urgent_96_hours: 'Urgent with prior authorization, 96 hours',
  initial_10_business_days: 'Initial, 10 business days',
  initial_15_business_days: 'Initial psychiatry, 15 business days',
  follow_up_10_business_days: 'Follow-up, 10 business days',
  fuh_7_days: 'After discharge, 7 days',
  fuh_30_days: 'After discharge, 30 days',
};

export const networkLabels: Record<string, string> = {
  in_network: 'In network',
  outside: 'Outside provider',
  none: 'None (a discharge follow-up)',
};

export const tierLabels: Record<string, string> = {
  urgent: 'Urgent',
  recent_discharge: 'Recent discharge',
  high: 'High',
  perinatal: 'Perinatal',
  standard: 'Standard',
};

export const gapStatusLabels: Record<string, string> = {
  overdue: 'Overdue',
  at_risk: 'At risk',
  on_track: 'On track',
};

/** `perinatal_mood_anxiety` → `Perinatal mood anxiety`. */
export function humanize(code: string): string {
  const text = code.replaceAll('_', ' ');
  return text.charAt(0).toUpperCase() + text.slice(1);
}

export function labelOf(labels: Record<string, string>, code: string): string {
  return labels[code] ?? humanize(code);
}

export function percent(rate: number | null): string {
  return rate === null ? '—' : `${(rate * 100).toFixed(1)}%`;
}

const dateFormat = new Intl.DateTimeFormat('en-US', {
  month: 'short',
  day: 'numeric',
  year: 'numeric',
  timeZone: 'America/Los_Angeles',
});

export function formatDate(iso: string | null): string {
  return iso === null ? '—' : dateFormat.format(new Date(iso));
}

const dayMs = 86_400_000;

/** A local calendar day (YYYY-MM-DD) `days` from today, as a date input takes it. */
export function dayFromToday(days: number): string {
  const d = new Date(Date.now() + days * dayMs);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

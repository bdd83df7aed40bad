import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { api } from '../../api.ts';
import { useSession } from '../../session.tsx';

/*
 * The disruption continuity report, offered as plain links: same-origin GETs that carry the
 * session cookie (a GET needs no CSRF token), so the browser opens or saves the server's own file,
 * with the SHA-256 the audit trail records for it.
 */

type Edition = 'deidentified' | 'full';
type Format = 'html' | 'pdf' | 'json' | 'csv';

/** The report's tables, in the report's order; `patients` exists in the full edition only. */
const tables = [
  { id: 'summary', label: 'Summary' },
  { id: 'sessions', label: 'Sessions' },
  { id: 'displaced-by-specialty', label: 'Displaced by specialty' },
  { id: 'displaced-by-service-area', label: 'Displaced by service area' },
  { id: 'displaced-by-risk-tier', label: 'Displaced by risk tier' },
  { id: 'placement', label: 'Placement' },
  { id: 'deadlines', label: 'Deadlines' },
  { id: 'timely-access', label: 'Timely access' },
  { id: 'follow-up', label: 'Follow-up' },
  { id: 'referrals', label: 'Referrals' },
  { id: 'grievances', label: 'Grievances' },
  { id: 'shortfall', label: 'Shortfall' },
  { id: 'waiting', label: 'Waiting' },
  { id: 'patients', label: 'Patients', fullOnly: true },
] satisfies readonly { id: string; label: string; fullOnly?: true }[];

const isoDay = /^\d{4}-\d{2}-\d{2}$/;

/** Today (YYYY-MM-DD) in a time zone: the server reads a day as the organization's local day. */
function todayIn(timeZone: string | undefined): string {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).formatToParts(new Date());
  const part = (type: 'year' | 'month' | 'day') => parts.find((p) => p.type === type)?.value;
  return `${part('year')}-${part('month')}-${part('day')}`;
}

/** The report's address for one format, built as the API reads it. */
function reportHref(
  disruptionId: string,
  options: { format: Format; edition: Edition; asOf: string; table?: string },
): string {
  const params = new URLSearchParams({
    format: options.format,
    edition: options.edition,
    asOf: options.asOf,
  });
  if (options.table !== undefined) params.set('table', options.table);
  return `/api/v1/reports/disruptions/${encodeURIComponent(disruptionId)}?${params.toString()}`;
}

/** "Continuity report": the day the data stands at, the edition, and a link per format. */
export function ReportPanel({ disruptionId }: { disruptionId: string }) {
  const { can } = useSession();
  // The organization's time zone, so "today" is the server's today (a UTC browser can be a day
  // ahead of Los Angeles, and the API refuses a day to come). Everyone who opens a disruption may
  // read the calendar; if it cannot be read, the browser's own zone stands in.
  const calendar = useQuery({
    queryKey: ['/calendar', 'timeZone'],
    queryFn: () => api<{ timeZone: string }>('/calendar'),
    staleTime: Infinity,
  });
  const today = todayIn(calendar.data?.timeZone);
  const mayFull = can('reports:full');
  const [chosenDay, setChosenDay] = useState<string | null>(null);
  const [chosenEdition, setEdition] = useState<Edition>('deidentified');
  const [table, setTable] = useState('summary');

  const asOf = chosenDay ?? today;
  const edition: Edition = mayFull ? chosenEdition : 'deidentified';
  const offered = tables.filter((t) => edition === 'full' || !('fullOnly' in t));
  const csvTable = offered.some((t) => t.id === table) ? table : 'summary';
  const tableLabel = offered.find((t) => t.id === csvTable)?.label ?? csvTable;
  const dayProblem = !isoDay.test(asOf)
    ? 'Choose the day the data stands at.'
    : asOf > today
      ? `Choose a day no later than today (${today}): a report cannot be as of a day to come.`
      : null;
  const href = (format: Format, extra: { table?: string } = {}) =>
    reportHref(disruptionId, { format, edition, asOf, ...extra });

  return (
    <section aria-labelledby="report-heading">
      <h2 id="report-heading">Continuity report</h2>
      <div className="panel">
        <div className="toolbar">
          <label>
            Data as of
            <input
              type="date"
              value={asOf}
              max={today}
              required
              aria-invalid={dayProblem !== null}
              aria-describedby={dayProblem ? 'report-day-problem' : undefined}
              onChange={(e) => {
                setChosenDay(e.target.value);
              }}
            />
          </label>
          <label>
            Edition
            <select
              value={edition}
              onChange={(e) => {
                setEdition(e.target.value === 'full' ? 'full' : 'deidentified');
              }}
            >
              <option value="deidentified">De-identified</option>
              {mayFull ? <option value="full">Full (names patients)</option> : null}
            </select>
          </label>
          <label>
            CSV table
            <select
              value={csvTable}
              onChange={(e) => {
                setTable(e.target.value);
              }}
            >
              {offered.map((t) => (
                <option key={t.id} value={t.id}>
                  {t.label}
                </option>
              ))}
            </select>
          </label>
        </div>
        {dayProblem ? (
          <p id="report-day-problem" className="error" role="alert">
            {dayProblem}
          </p>
        ) : (
          <div className="actions">
            <a href={href('html')} target="_blank" rel="noopener">
              Open as HTML (new tab)
            </a>
            <a href={href('pdf')}>Download PDF</a>
            <a href={href('json')}>Download JSON</a>
            <a href={href('csv', { table: csvTable })}>Download CSV ({tableLabel})</a>
          </div>
        )}
      </div>
      <p className="muted">
        The de-identified edition names no patient and withholds every count of 1 to 10 patients
        (and any figure that would reveal one); the SHA-256 of every copy issued is recorded in the
        audit trail.
      </p>
    </section>
  );
}

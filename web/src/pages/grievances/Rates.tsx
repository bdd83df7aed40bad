import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { api, type Page } from '../../api.ts';
import { ErrorMessage, Loading } from '../../components/Status.tsx';
import { useSession } from '../../session.tsx';
import type { Rate } from './types.ts';

interface Rates {
  from: string;
  to: string;
  days: number;
  all: Rate[];
  disruptionRelated: Rate[];
}

const isoDay = (d: Date) => d.toISOString().slice(0, 10);

function RateCard({ rate }: { rate: Rate }) {
  const value =
    rate.value === null
      ? 'No denominator'
      : rate.unit.startsWith('share')
        ? `${(rate.value * 100).toFixed(2)}%`
        : rate.value.toLocaleString('en-US', { maximumFractionDigits: 3 });
  return (
    <div className="figure">
      <div className="figure-label">{rate.unit}</div>
      <div className="figure-value">{value}</div>
      <div className="figure-detail">
        {rate.numerator.toLocaleString('en-US')} grievances of{' '}
        {rate.denominator.toLocaleString('en-US')}
      </div>
      <p className="figure-detail">{rate.definition}</p>
    </div>
  );
}

/** The three rates side by side, for all grievances and the disruption-related ones. */
export function GrievanceRates() {
  const session = useSession();
  const today = new Date();
  const [from, setFrom] = useState(isoDay(new Date(today.getTime() - 90 * 86_400_000)));
  const [to, setTo] = useState(isoDay(new Date(today.getTime() + 86_400_000)));
  const [disruptionId, setDisruptionId] = useState('');
  const disruptions = useQuery({
    queryKey: ['/disruptions', 'for-rates'],
    queryFn: () =>
      api<Page<{ id: string; title: string }>>('/disruptions', { query: { limit: 100 } }),
    enabled: session.can('disruptions:read'),
  });
  const valid = from !== '' && to !== '' && from < to;
  const rates = useQuery({
    queryKey: ['/grievances/rates', from, to, disruptionId],
    queryFn: () =>
      api<Rates>('/grievances/rates', {
        query: {
          from: new Date(`${from}T00:00:00`).toISOString(),
          to: new Date(`${to}T00:00:00`).toISOString(),
          disruptionId,
        },
      }),
    enabled: valid,
  });
  return (
    <>
      <div className="toolbar">
        <label>
          From
          <input
            type="date"
            value={from}
            onChange={(e) => {
              setFrom(e.target.value);
            }}
          />
        </label>
        <label>
          Until (not included)
          <input
            type="date"
            value={to}
            onChange={(e) => {
              setTo(e.target.value);
            }}
          />
        </label>
        {disruptions.data ? (
          <label>
            Disruption
            <select
              value={disruptionId}
              onChange={(e) => {
                setDisruptionId(e.target.value);
              }}
            >
              <option value="">All patients</option>
              {disruptions.data.items.map((d) => (
                <option key={d.id} value={d.id}>
                  {d.title}
                </option>
              ))}
            </select>
          </label>
        ) : null}
      </div>
      {!valid ? (
        <p className="error" role="alert">
          Choose a period whose start is before its end.
        </p>
      ) : rates.isPending ? (
        <Loading what="the rates" />
      ) : rates.isError ? (
        <ErrorMessage error={rates.error} />
      ) : (
        <>
          <h3>All grievances ({rates.data.days.toLocaleString('en-US')} days)</h3>
          <div className="rates">
            {rates.data.all.map((r) => (
              <RateCard key={r.unit} rate={r} />
            ))}
          </div>
          <h3>Disruption-related grievances</h3>
          <div className="rates">
            {rates.data.disruptionRelated.map((r) => (
              <RateCard key={r.unit} rate={r} />
            ))}
          </div>
        </>
      )}
    </>
  );
}

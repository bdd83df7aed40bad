import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { api } from '../../api.ts';
import { ErrorMessage, Figure, Loading } from '../../components/Status.tsx';

interface Measure {
  numerator: number;
  denominator: number;
  rate: number | null;
  definition: string;
}

interface Metrics {
  sent: number;
  accepted: Measure;
  completed: Measure;
  completedInTime: Measure;
  medianBusinessDaysToFirstVisit: number | null;
}

const isoDay = (d: Date) => d.toISOString().slice(0, 10);

/** Closed-loop measures of the referrals sent in a period, each with its denominator. */
export function Metrics() {
  const today = new Date();
  const [from, setFrom] = useState(isoDay(new Date(today.getTime() - 90 * 86_400_000)));
  const [to, setTo] = useState(isoDay(new Date(today.getTime() + 86_400_000)));
  const valid = from !== '' && to !== '' && from < to;
  const metrics = useQuery({
    queryKey: ['/referrals/metrics', from, to],
    queryFn: () =>
      api<Metrics>('/referrals/metrics', {
        query: {
          from: new Date(`${from}T00:00:00`).toISOString(),
          to: new Date(`${to}T00:00:00`).toISOString(),
        },
      }),
    enabled: valid,
  });
  return (
    <>
      <div className="toolbar">
        <label>
          Sent from
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
      </div>
      {!valid ? (
        <p className="error" role="alert">
          Choose a period whose start is before its end.
        </p>
      ) : metrics.isPending ? (
        <Loading what="the closed-loop measures" />
      ) : metrics.isError ? (
        <ErrorMessage error={metrics.error} />
      ) : (
        <div className="figures">
          <Figure
            label="Sent"
            numerator={metrics.data.sent}
            definition="Referrals sent in the period."
          />
          {(
            [
              ['Accepted', metrics.data.accepted],
              ['Seen', metrics.data.completed],
              ['Seen in time', metrics.data.completedInTime],
            ] as const
          ).map(([name, m]) => (
            <Figure
              key={name}
              label={name}
              numerator={m.numerator}
              denominator={m.denominator}
              definition={m.definition}
            />
          ))}
          <div className="figure">
            <div className="figure-label">Median business days to the first visit</div>
            <div className="figure-value">{metrics.data.medianBusinessDaysToFirstVisit ?? '—'}</div>
            <div className="figure-detail">
              {metrics.data.medianBusinessDaysToFirstVisit === null
                ? 'No referral seen yet in the period.'
                : `From sending to the first attended visit, over the ${metrics.data.completed.numerator} seen.`}
            </div>
          </div>
        </div>
      )}
    </>
  );
}

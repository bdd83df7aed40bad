import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import { ErrorMessage } from '../components/Status.tsx';
import { useSession } from '../session.tsx';
import { DaysWithoutCare } from './overview/DaysWithoutCare.tsx';
import { DaysWithoutCareTrend } from './overview/DaysWithoutCareTrend.tsx';
import {
  DisruptionFigures,
  pickDisruption,
  type Disruption,
} from './overview/DisruptionFigures.tsx';
import { EnrollmentAggregates } from './overview/EnrollmentAggregates.tsx';
import { fetchAll } from './overview/fetchAll.ts';
import { humanize } from './timely-access/labels.ts';

/**
 * The overview: what a program manager asks first, each figure with its denominator. Each part is
 * fetched only when the role may read it, so an auditor sees the de-identified enrollment alone.
 */
export function OverviewPage() {
  const { can } = useSession();
  const seesFigures =
    can('compliance:read') || can('rematch:read') || can('patients:read') || can('grievances:read');
  const disruptions = useQuery({
    queryKey: ['overview', 'disruptions'],
    queryFn: () => fetchAll<Disruption>('/disruptions'),
    enabled: can('disruptions:read'),
  });
  const disruption = disruptions.data ? pickDisruption(disruptions.data.items) : null;
  const waiting = can('disruptions:read') && disruptions.isPending;

  return (
    <section aria-labelledby="overview-title">
      <h1 id="overview-title">Overview</h1>
      {seesFigures ? (
        <section aria-labelledby="overview-now">
          <h2 id="overview-now">Now</h2>
          {disruptions.isError ? <ErrorMessage error={disruptions.error} /> : null}
          {disruption ? (
            <p>
              Disruption:{' '}
              {can('disruptions:read') && can('disruptions:write') ? (
                <Link to={`/disruptions`}>{disruption.title}</Link>
              ) : (
                <strong>{disruption.title}</strong>
              )}{' '}
              <span className="tag">{humanize(disruption.status)}</span>{' '}
              <span className="muted">
                {disruption.startsOn} to {disruption.endsOn ?? 'open-ended'}
              </span>
            </p>
          ) : null}
          {waiting ? null : <DisruptionFigures disruption={disruption} />}
        </section>
      ) : null}
      <section aria-labelledby="overview-trend">
        <h2 id="overview-trend">Days without care, week by week</h2>
        <DaysWithoutCareTrend />
      </section>
      {can('patients:read') ? (
        <section aria-labelledby="overview-days">
          <h2 id="overview-days">Days without care</h2>
          <DaysWithoutCare />
        </section>
      ) : null}
      <section aria-labelledby="overview-enrollment">
        <h2 id="overview-enrollment">Enrollment by service area</h2>
        <EnrollmentAggregates />
      </section>
    </section>
  );
}

import { Route, Routes } from 'react-router';
import { useSession } from '../session.tsx';
import { GrievanceDetail } from './grievances/GrievanceDetail.tsx';
import { QuarterlyReport } from './grievances/Quarterly.tsx';
import { AllGrievances, DueNow } from './grievances/Queue.tsx';
import { GrievanceRates } from './grievances/Rates.tsx';
import './referrals/referrals.css';

/** Grievances: the queue with its deadlines (expedited first), the three rates, the report. */
function GrievancesHome() {
  const session = useSession();
  return (
    <section className="cp">
      <h1>Grievances</h1>
      <section aria-labelledby="due-now">
        <h2 id="due-now">Due now</h2>
        <DueNow />
      </section>
      {session.can('compliance:read') ? (
        <section aria-labelledby="rates">
          <h2 id="rates">Rates</h2>
          <p className="muted">
            One count of grievances over three denominators, each with its definition.
          </p>
          <GrievanceRates />
        </section>
      ) : null}
      <section aria-labelledby="queue">
        <h2 id="queue">All grievances</h2>
        <AllGrievances />
      </section>
      {session.can('compliance:read') ? (
        <section aria-labelledby="quarterly">
          <h2 id="quarterly">Quarterly report</h2>
          <QuarterlyReport />
        </section>
      ) : null}
    </section>
  );
}

export function GrievancesPage() {
  return (
    <Routes>
      <Route index element={<GrievancesHome />} />
      <Route path=":id" element={<GrievanceDetail />} />
    </Routes>
  );
}

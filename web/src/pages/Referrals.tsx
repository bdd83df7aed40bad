import { Route, Routes } from 'react-router';
import { useSession } from '../session.tsx';
import { Board } from './referrals/Board.tsx';
import { Metrics } from './referrals/Metrics.tsx';
import { ReferralDetail } from './referrals/ReferralDetail.tsx';
import { Worklist } from './referrals/Worklist.tsx';
import './referrals/referrals.css';

/** Referrals: the action worklist, the board by status, and each referral with its outreach. */
function ReferralsHome() {
  const session = useSession();
  return (
    <section className="cp">
      <h1>Referrals</h1>
      <section aria-labelledby="needs-action">
        <h2 id="needs-action">Needs action</h2>
        <Worklist />
      </section>
      <section aria-labelledby="board">
        <h2 id="board">Board by status</h2>
        <p className="muted">Each card shows the deadline that matters now; overdue ones say so.</p>
        <Board />
      </section>
      {session.can('compliance:read') ? (
        <section aria-labelledby="closed-loop">
          <h2 id="closed-loop">Closed-loop measures</h2>
          <Metrics />
        </section>
      ) : null}
    </section>
  );
}

export function ReferralsPage() {
  return (
    <Routes>
      <Route index element={<ReferralsHome />} />
      <Route path=":id" element={<ReferralDetail />} />
    </Routes>
  );
}

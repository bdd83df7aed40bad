import { Route, Routes } from 'react-router';
import { Board } from './referrals/Board.tsx';
import { ReferralDetail } from './referrals/ReferralDetail.tsx';
import { Worklist } from './referrals/Worklist.tsx';
import './referrals/referrals.css';

/** Referrals: the action worklist, the board by status, and each referral with its outreach. */
function ReferralsHome() {
  return (
    <section>
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

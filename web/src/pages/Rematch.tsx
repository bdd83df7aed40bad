import { Route, Routes } from 'react-router';
import './disruptions/disruptions.css';
import './rematch/rematch.css';
import { RunList } from './rematch/RunList.tsx';
import { RunReview } from './rematch/RunReview.tsx';

/** Re-match review: the runs, and one run's plan to explain, approve, swap and commit. */
export function RematchPage() {
  return (
    <Routes>
      <Route index element={<RunList />} />
      <Route path=":runId" element={<RunReview />} />
    </Routes>
  );
}

import { Route, Routes } from 'react-router';
import { DisruptionDetail } from './disruptions/DisruptionDetail.tsx';
import { DisruptionList } from './disruptions/DisruptionList.tsx';
import { NewDisruption } from './disruptions/NewDisruption.tsx';
import './disruptions/disruptions.css';

/** Disruptions: the list, a new draft, and one disruption's simulate → apply → re-match → end. */
export function DisruptionsPage() {
  return (
    <Routes>
      <Route index element={<DisruptionList />} />
      <Route path="new" element={<NewDisruption />} />
      <Route path=":id" element={<DisruptionDetail />} />
    </Routes>
  );
}

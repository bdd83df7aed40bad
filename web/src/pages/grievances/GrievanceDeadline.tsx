import { when } from '../referrals/format.ts';
import { nextDuty, type Grievance } from './types.ts';

/** The next duty and its deadline; an overdue one says so in words as well as in red. */
export function GrievanceDeadline({ grievance }: { grievance: Grievance }) {
  const next = nextDuty(grievance);
  if (!next) return <span className="muted">Closed</span>;
  const overdue = new Date(next.before).getTime() <= Date.now();
  return (
    <span className={overdue ? 'bad' : undefined}>
      {overdue ? <strong>Overdue · </strong> : null}
      {next.duty} before {when(next.before)}
    </span>
  );
}

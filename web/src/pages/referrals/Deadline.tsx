import { when } from './format.ts';
import { deadlineOf, type Referral } from './types.ts';

/** A referral's deadline; an overdue one says so in words as well as in red. */
export function Deadline({ referral }: { referral: Referral }) {
  const deadline = deadlineOf(referral);
  if (!deadline)
    return (
      <span className="muted">
        {referral.status === 'draft' ? 'Not sent yet' : 'No open deadline'}
      </span>
    );
  return (
    <span className={deadline.overdue ? 'bad' : undefined}>
      {deadline.overdue ? <strong>Overdue · </strong> : null}
      {deadline.what} {when(deadline.at)}
    </span>
  );
}

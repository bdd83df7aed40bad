import { useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { PagedTable, type Column } from '../../components/DataTable.tsx';
import { useSession } from '../../session.tsx';
import { scopeSize, words, type Disruption, type DisruptionStatus } from './types.ts';

const columns: Column<Disruption>[] = [
  { header: 'Title', cell: (d) => <Link to={`/disruptions/${d.id}`}>{d.title}</Link> },
  { header: 'Kind', cell: (d) => words(d.kind) },
  { header: 'Status', cell: (d) => <span className={`status-${d.status}`}>{d.status}</span> },
  { header: 'Starts on', cell: (d) => d.startsOn },
  { header: 'Ends on', cell: (d) => d.endsOn ?? 'open-ended' },
  { header: 'Scope size', cell: (d) => scopeSize(d.scope), numeric: true },
];

/** Every disruption, newest first as the API pages them, filterable by status. */
export function DisruptionList() {
  const { can } = useSession();
  const navigate = useNavigate();
  const [status, setStatus] = useState<DisruptionStatus | ''>('');
  return (
    <section>
      <h1>Disruptions</h1>
      <div className="toolbar">
        <div>
          <label htmlFor="d-status">Status</label>
          <select
            id="d-status"
            value={status}
            onChange={(e) => {
              setStatus(e.target.value as DisruptionStatus | '');
            }}
          >
            <option value="">Any</option>
            <option value="draft">Draft</option>
            <option value="active">Active</option>
            <option value="ended">Ended</option>
          </select>
        </div>
        {can('disruptions:write') ? (
          <button type="button" onClick={() => void navigate('/disruptions/new')}>
            New disruption
          </button>
        ) : null}
      </div>
      <PagedTable<Disruption>
        path="/disruptions"
        query={{ status }}
        columns={columns}
        caption="Disruptions"
        empty="No disruptions with this status."
      />
    </section>
  );
}

import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'react-router';
import { api } from '../../api.ts';
import { PagedTable, Table, type Column } from '../../components/DataTable.tsx';
import { Empty, ErrorMessage, Loading } from '../../components/Status.tsx';
import { day, label } from '../referrals/format.ts';
import { PatientName } from '../referrals/names.tsx';
import { GrievanceDeadline } from './GrievanceDeadline.tsx';
import { grievanceStatuses, type DueGrievance, type Grievance } from './types.ts';

const common: Column<Grievance>[] = [
  {
    header: 'Received',
    cell: (g) => <Link to={`/grievances/${g.id}`}>{day(g.receivedAt)}</Link>,
  },
  { header: 'Patient', cell: (g) => <PatientName id={g.patientId} /> },
  { header: 'Type', cell: (g) => label(g.type) },
  {
    header: 'Expedited',
    cell: (g) => (g.expedited ? <span className="tag">Expedited</span> : 'No'),
  },
  { header: 'Status', cell: (g) => label(g.status) },
  { header: 'Next deadline', cell: (g) => <GrievanceDeadline grievance={g} /> },
];

/** Open grievances due within a day or overdue, expedited first (the API's order). */
export function DueNow() {
  const due = useQuery({
    queryKey: ['/grievances/due'],
    queryFn: () => api<{ items: DueGrievance[] }>('/grievances/due'),
  });
  if (due.isPending) return <Loading what="the grievances due" />;
  if (due.isError) return <ErrorMessage error={due.error} />;
  if (due.data.items.length === 0) return <Empty>No grievance is due within a day.</Empty>;
  return (
    <Table
      caption={`Due within a day or overdue, expedited first (${due.data.items.length})`}
      rows={due.data.items}
      rowKey={(g) => g.id}
      columns={common}
    />
  );
}

/** Every grievance, server-paged, filtered by status. */
export function AllGrievances() {
  const [status, setStatus] = useState('');
  return (
    <>
      <div className="toolbar">
        <label>
          Status
          <select
            value={status}
            onChange={(e) => {
              setStatus(e.target.value);
            }}
          >
            <option value="">Any</option>
            {grievanceStatuses.map((s) => (
              <option key={s} value={s}>
                {label(s)}
              </option>
            ))}
          </select>
        </label>
      </div>
      <PagedTable<Grievance>
        path="/grievances"
        query={{ status }}
        caption="Grievances"
        columns={common}
        empty="No grievance matches."
      />
    </>
  );
}

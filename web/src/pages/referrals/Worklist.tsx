import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import { api, type Page } from '../../api.ts';
import { Table } from '../../components/DataTable.tsx';
import { Empty, ErrorMessage, Loading } from '../../components/Status.tsx';
import { Deadline } from './Deadline.tsx';
import { label } from './format.ts';
import { PatientName, ProviderName } from './names.tsx';
import { actionText, type Referral } from './types.ts';

/** The referrals that need a person (needs=action), highest risk first, as the API orders them. */
export function Worklist() {
  const list = useQuery({
    queryKey: ['/referrals', { needs: 'action' }],
    queryFn: () => api<Page<Referral>>('/referrals', { query: { needs: 'action', limit: 100 } }),
  });
  if (list.isPending) return <Loading what="the worklist" />;
  if (list.isError) return <ErrorMessage error={list.error} />;
  if (list.data.items.length === 0) return <Empty>No referral needs a person now.</Empty>;
  return (
    <Table
      caption={`Referrals needing a person, highest risk first (${list.data.items.length})`}
      rows={list.data.items}
      rowKey={(r) => r.id}
      columns={[
        {
          header: 'Patient',
          cell: (r) => (
            <Link to={`/referrals/${r.id}`}>
              <PatientName id={r.patientId} />
            </Link>
          ),
        },
        { header: 'Provider', cell: (r) => <ProviderName id={r.providerId} /> },
        { header: 'Status', cell: (r) => label(r.status) },
        { header: 'Why', cell: (r) => (r.action ? (actionText[r.action] ?? r.action) : '—') },
        { header: 'Deadline', cell: (r) => <Deadline referral={r} /> },
      ]}
    />
  );
}

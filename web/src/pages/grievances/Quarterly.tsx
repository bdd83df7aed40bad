import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { api } from '../../api.ts';
import { Table } from '../../components/DataTable.tsx';
import { Empty, ErrorMessage, Loading } from '../../components/Status.tsx';
import { day, label } from '../referrals/format.ts';

interface Quarterly {
  year: number;
  quarter: number;
  asOf: string;
  total: number;
  rows: { lineOfBusiness: string; type: string; pendingWith: string; count: number }[];
}

/** The quarterly report: grievances pending or unresolved 30 days or more at the quarter's end. */
export function QuarterlyReport() {
  const now = new Date();
  // The last quarter that has ended: the one a report is filed for.
  const current = Math.floor(now.getMonth() / 3) + 1;
  const [year, setYear] = useState(current === 1 ? now.getFullYear() - 1 : now.getFullYear());
  const [quarter, setQuarter] = useState(current === 1 ? 4 : current - 1);
  const report = useQuery({
    queryKey: ['/grievances/reports/quarterly', year, quarter],
    queryFn: () => api<Quarterly>('/grievances/reports/quarterly', { query: { year, quarter } }),
  });
  const years = [0, 1, 2, 3].map((n) => now.getFullYear() - n);
  return (
    <>
      <div className="toolbar">
        <label>
          Year
          <select
            value={year}
            onChange={(e) => {
              setYear(Number(e.target.value));
            }}
          >
            {years.map((y) => (
              <option key={y} value={y}>
                {y}
              </option>
            ))}
          </select>
        </label>
        <label>
          Quarter
          <select
            value={quarter}
            onChange={(e) => {
              setQuarter(Number(e.target.value));
            }}
          >
            {[1, 2, 3, 4].map((q) => (
              <option key={q} value={q}>
                Q{q}
              </option>
            ))}
          </select>
        </label>
      </div>
      {report.isPending ? (
        <Loading what="the quarterly report" />
      ) : report.isError ? (
        <ErrorMessage error={report.error} />
      ) : report.data.rows.length === 0 ? (
        <Empty>No grievance was pending 30 days or more as of {day(report.data.asOf)}.</Empty>
      ) : (
        <Table
          caption={`Pending or unresolved 30 days or more as of ${day(report.data.asOf)}: ${report.data.total}`}
          rows={report.data.rows}
          rowKey={(r) => `${r.lineOfBusiness}-${r.type}-${r.pendingWith}`}
          columns={[
            { header: 'Line of business', cell: (r) => label(r.lineOfBusiness) },
            { header: 'Type', cell: (r) => label(r.type) },
            { header: 'Pending with', cell: (r) => label(r.pendingWith) },
            { header: 'Grievances', cell: (r) => r.count, numeric: true },
          ]}
        />
      )}
    </>
  );
}

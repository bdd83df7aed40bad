import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { Link, useParams } from 'react-router';
import { api, type Page } from '../../api.ts';
import { Table } from '../../components/DataTable.tsx';
import { Empty, ErrorMessage, Loading } from '../../components/Status.tsx';
import { useSession } from '../../session.tsx';
import { day, label, term, when } from '../referrals/format.ts';
import { PatientName } from '../referrals/names.tsx';
import { LocationName } from './Catalogue.tsx';
import { useClinician } from './catalogue-data.ts';
import type { Enrollment, Group, Session } from './types.ts';

function Facilitator({ id, role }: { id: string; role: string }) {
  const clinician = useClinician(id);
  return (
    <li>
      {clinician.isError ? 'A clinician who cannot be read' : (clinician.data?.name ?? '…')}{' '}
      <span className="muted">
        ({role === 'lead' ? 'lead' : 'co-facilitator'}
        {clinician.data ? `, ${term(clinician.data.discipline)}` : ''})
      </span>
    </li>
  );
}

/**
 * The roster: active and waitlisted enrollments. Names only for a role that may read patients;
 * the API shows a clinician only the rosters of the groups they facilitate.
 */
function Roster({ groupId, facilitators }: { groupId: string; facilitators: string[] }) {
  const session = useSession();
  // The API answers a clinician only for the groups they facilitate: ask only then.
  const own =
    session.user.role !== 'clinician' ||
    (session.user.clinicianId !== null && facilitators.includes(session.user.clinicianId));
  const roster = useQuery({
    queryKey: ['/enrollments', { groupId }],
    queryFn: async () => {
      const [active, waitlisted] = await Promise.all(
        ['active', 'waitlisted'].map((status) =>
          api<Page<Enrollment>>('/enrollments', { query: { groupId, status, limit: 100 } }),
        ),
      );
      return [...(active?.items ?? []), ...(waitlisted?.items ?? [])];
    },
    enabled: session.can('enrollments:read') && own,
  });
  if (!session.can('enrollments:read'))
    return <p className="muted">Your role does not see group rosters.</p>;
  if (!own) return <p className="muted">Only the group’s facilitators see its roster.</p>;
  if (roster.isPending) return <Loading what="the roster" />;
  if (roster.isError) return <ErrorMessage error={roster.error} />;
  if (roster.data.length === 0) return <Empty>No one is enrolled.</Empty>;
  const named = session.can('patients:read');
  return (
    <>
      {named ? null : (
        <p className="muted">Names are shown only to roles that may read patient records.</p>
      )}
      <Table
        caption={`Roster (${roster.data.length})`}
        rows={roster.data.map((e, i) => ({ ...e, n: i + 1 }))}
        rowKey={(e) => e.id}
        columns={[
          {
            header: 'Member',
            cell: (e) => (named ? <PatientName id={e.patientId} /> : `Member ${e.n}`),
          },
          { header: 'Status', cell: (e) => label(e.status) },
          { header: 'Since', cell: (e) => day(`${e.startsOn}T12:00:00`) },
        ]}
      />
    </>
  );
}

/** Sessions from four weeks ago on, paged by the server. */
function Sessions({ groupId }: { groupId: string }) {
  const from = new Date(Date.now() - 28 * 86_400_000).toISOString();
  const list = useInfiniteQuery({
    queryKey: ['/groups/sessions', groupId],
    queryFn: ({ pageParam }) =>
      api<Page<Session>>(`/groups/${groupId}/sessions`, {
        query: { from, limit: 12, cursor: pageParam },
      }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    staleTime: 60_000,
  });
  if (list.isPending) return <Loading what="the sessions" />;
  if (list.isError) return <ErrorMessage error={list.error} />;
  const rows = list.data.pages.flatMap((p) => p.items);
  if (rows.length === 0) return <Empty>No session from four weeks ago on.</Empty>;
  return (
    <>
      <Table
        caption="Sessions from four weeks ago"
        rows={rows}
        rowKey={(s) => s.id}
        columns={[
          { header: 'Starts', cell: (s) => when(s.startsAt) },
          {
            header: 'Status',
            cell: (s) =>
              s.status === 'cancelled' ? <span className="bad">Cancelled</span> : label(s.status),
          },
          { header: 'Present', numeric: true, cell: (s) => s.attendance.present },
          { header: 'Absent', numeric: true, cell: (s) => s.attendance.absent },
          { header: 'Excused', numeric: true, cell: (s) => s.attendance.excused },
          { header: 'Cancelled because', cell: (s) => s.cancelReason ?? '' },
        ]}
      />
      <div className="table-foot">
        <span className="muted">{rows.length} shown</span>
        {list.hasNextPage ? (
          <button
            type="button"
            className="secondary"
            onClick={() => void list.fetchNextPage()}
            disabled={list.isFetchingNextPage}
          >
            {list.isFetchingNextPage ? 'Loading…' : 'Load more sessions'}
          </button>
        ) : null}
      </div>
    </>
  );
}

export function GroupDetail() {
  const { id = '' } = useParams();
  const group = useQuery({
    queryKey: ['group', id],
    queryFn: () => api<Group>(`/groups/${id}`),
  });
  return (
    <section className="cp">
      <p>
        <Link to="/groups">← All groups</Link>
      </p>
      {group.isPending ? (
        <>
          <h1>Group</h1>
          <Loading what="the group" />
        </>
      ) : group.isError ? (
        <>
          <h1>Group</h1>
          <ErrorMessage error={group.error} />
        </>
      ) : (
        <>
          <h1>{group.data.name}</h1>
          <div className="grid-2">
            <div className="panel">
              <h2>About the group</h2>
              <dl className="facts">
                <dt>Specialty</dt>
                <dd>{term(group.data.specialty)}</dd>
                <dt>Location</dt>
                <dd>
                  <LocationName id={group.data.locationId} />
                </dd>
                <dt>Modality</dt>
                <dd>{label(group.data.modality)}</dd>
                <dt>Language</dt>
                <dd>{group.data.language}</dd>
                <dt>Seats taken</dt>
                <dd>
                  {group.data.enrolled} of {group.data.capacity} ({group.data.openSeats} open)
                </dd>
                <dt>Accommodations</dt>
                <dd>
                  {group.data.accommodations.length === 0 ? (
                    'None'
                  ) : (
                    <span className="tags">
                      {group.data.accommodations.map((a) => (
                        <span key={a} className="tag">
                          {label(a)}
                        </span>
                      ))}
                    </span>
                  )}
                </dd>
                <dt>Kind</dt>
                <dd>
                  {label(group.data.kind)}, {label(group.data.status)}
                </dd>
                <dt>Sessions</dt>
                <dd>
                  {group.data.sessionMinutes} minutes, from {day(`${group.data.startsOn}T12:00:00`)}
                  {group.data.endsOn ? ` to ${day(`${group.data.endsOn}T12:00:00`)}` : ''}
                </dd>
              </dl>
              <h2>Facilitators</h2>
              {group.data.facilitators.length === 0 ? (
                <p className="muted">None assigned.</p>
              ) : (
                <ul>
                  {group.data.facilitators.map((f) => (
                    <Facilitator key={f.clinicianId} id={f.clinicianId} role={f.role} />
                  ))}
                </ul>
              )}
            </div>
            <div className="panel">
              <h2>Roster</h2>
              <Roster
                groupId={group.data.id}
                facilitators={group.data.facilitators.map((f) => f.clinicianId)}
              />
            </div>
          </div>
          <section className="panel">
            <h2>Sessions and attendance</h2>
            <p className="muted">
              Each session, whether it was held, and how many patients were recorded present, absent
              and excused.
            </p>
            <Sessions groupId={group.data.id} />
          </section>
        </>
      )}
    </section>
  );
}

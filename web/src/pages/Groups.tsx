import { NavLink, Route, Routes } from 'react-router';
import { PagedTable } from '../components/DataTable.tsx';
import { useSession } from '../session.tsx';
import { Catalogue, groupColumns } from './groups/Catalogue.tsx';
import { Clinicians } from './groups/Clinicians.tsx';
import { GroupDetail } from './groups/GroupDetail.tsx';
import type { Group } from './groups/types.ts';
import { Workload } from './groups/Workload.tsx';
import './referrals/referrals.css';

function SubNav() {
  const session = useSession();
  return (
    <nav className="subnav" aria-label="Groups and clinicians">
      <ul>
        <li>
          <NavLink to="/groups" end>
            Groups
          </NavLink>
        </li>
        <li>
          <NavLink to="/groups/clinicians">Clinicians</NavLink>
        </li>
        {session.can('workload:read') ? (
          <li>
            <NavLink to="/groups/workload">Workload</NavLink>
          </li>
        ) : null}
      </ul>
    </nav>
  );
}

/** The catalogue; a clinician first sees their own groups and their own week. */
function GroupsHome() {
  const session = useSession();
  const clinicianId = session.user.clinicianId;
  return (
    <section className="cp">
      <h1>Groups and clinicians</h1>
      <SubNav />
      {clinicianId ? (
        <>
          <section aria-labelledby="my-groups">
            <h2 id="my-groups">My groups</h2>
            <PagedTable<Group>
              path="/groups"
              query={{ clinicianId }}
              caption="Groups I facilitate"
              columns={groupColumns}
              empty="You facilitate no group."
            />
          </section>
          <section aria-labelledby="my-workload">
            <h2 id="my-workload">My workload</h2>
            <Workload own />
          </section>
        </>
      ) : null}
      <section aria-labelledby="catalogue">
        <h2 id="catalogue">Group catalogue</h2>
        <Catalogue />
      </section>
    </section>
  );
}

function CliniciansHome() {
  return (
    <section className="cp">
      <h1>Groups and clinicians</h1>
      <SubNav />
      <Clinicians />
    </section>
  );
}

function WorkloadHome() {
  return (
    <section className="cp">
      <h1>Groups and clinicians</h1>
      <SubNav />
      <section aria-labelledby="workload">
        <h2 id="workload">Workload per clinician</h2>
        <Workload />
      </section>
    </section>
  );
}

export function GroupsPage() {
  return (
    <Routes>
      <Route index element={<GroupsHome />} />
      <Route path="clinicians" element={<CliniciansHome />} />
      <Route path="workload" element={<WorkloadHome />} />
      <Route path=":id" element={<GroupDetail />} />
    </Routes>
  );
}

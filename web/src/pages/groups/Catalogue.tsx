import { useState } from 'react';
import { Link } from 'react-router';
import { Choice } from '../../components/Choice.tsx';
import { PagedTable, type Column } from '../../components/DataTable.tsx';
import { label, term } from '../referrals/format.ts';
import { useLocations, useServiceAreas } from './catalogue-data.ts';
import { type Group } from './types.ts';
import {
  accommodations,
  specialties,
} from '../../../../src/modules/vocabulary/vocabulary.domain.ts';

export function LocationName({ id }: { id: string }) {
  const locations = useLocations();
  return <>{locations.data?.get(id)?.name ?? '…'}</>;
}

export const groupColumns: Column<Group>[] = [
  { header: 'Group', cell: (g) => <Link to={`/groups/${g.id}`}>{g.name}</Link> },
  { header: 'Specialty', cell: (g) => term(g.specialty) },
  { header: 'Location', cell: (g) => <LocationName id={g.locationId} /> },
  { header: 'Modality', cell: (g) => label(g.modality) },
  {
    header: 'Seats taken',
    numeric: true,
    cell: (g) => (
      <>
        {g.enrolled} of {g.capacity}
        {g.openSeats === 0 ? <div className="muted">Full</div> : null}
      </>
    ),
  },
  {
    header: 'Accommodations',
    cell: (g) =>
      g.accommodations.length === 0 ? (
        <span className="muted">None</span>
      ) : (
        <span className="tags">
          {g.accommodations.map((a) => (
            <span key={a} className="tag">
              {label(a)}
            </span>
          ))}
        </span>
      ),
  },
  { header: 'Status', cell: (g) => label(g.status) },
];

/** The group catalogue: filtered and paged by the server. */
export function Catalogue() {
  const areas = useServiceAreas();
  const [specialty, setSpecialty] = useState('');
  const [serviceAreaId, setServiceAreaId] = useState('');
  const [accommodation, setAccommodation] = useState('');
  const [openOnly, setOpenOnly] = useState(false);
  return (
    <>
      <div className="toolbar" role="group" aria-label="Filter the groups">
        <Choice
          label="Specialty"
          value={specialty}
          onChange={setSpecialty}
          options={specialties.map((s) => ({ value: s, label: term(s) }))}
        />
        <Choice
          label="Service area"
          value={serviceAreaId}
          onChange={setServiceAreaId}
          options={(areas.data?.items ?? []).map((a) => ({ value: a.id, label: a.name }))}
        />
        <Choice
          label="Accommodation"
          value={accommodation}
          onChange={setAccommodation}
          options={accommodations.map((a) => ({ value: a, label: label(a) }))}
        />
        <label className="check">
          <span>
            <input
              type="checkbox"
              checked={openOnly}
              onChange={(e) => {
                setOpenOnly(e.target.checked);
              }}
            />{' '}
            Open seats only
          </span>
        </label>
      </div>
      <PagedTable<Group>
        path="/groups"
        query={{
          specialty,
          serviceAreaId,
          accommodation,
          hasOpenSeats: openOnly ? 'true' : undefined,
        }}
        caption="Groups"
        columns={groupColumns}
        empty="No group matches these filters."
      />
    </>
  );
}

import { useState } from 'react';
import { Choice } from '../../components/Choice.tsx';
import { PagedTable } from '../../components/DataTable.tsx';
import { label, term } from '../referrals/format.ts';
import { LocationName } from './Catalogue.tsx';
import { useServiceAreas } from './catalogue-data.ts';
import { type Clinician } from './types.ts';
import { disciplines, specialties } from '../../../../src/modules/vocabulary/vocabulary.domain.ts';

/** Clinicians, filtered and paged by the server. */
export function Clinicians() {
  const areas = useServiceAreas();
  const [specialty, setSpecialty] = useState('');
  const [serviceAreaId, setServiceAreaId] = useState('');
  const [discipline, setDiscipline] = useState('');
  return (
    <section aria-labelledby="clinicians">
      <h2 id="clinicians">Clinicians</h2>
      <div className="toolbar" role="group" aria-label="Filter the clinicians">
        <Choice
          label="Specialty"
          value={specialty}
          onChange={setSpecialty}
          options={specialties.map((s) => ({ value: s, label: term(s) }))}
        />
        <Choice
          label="Discipline"
          value={discipline}
          onChange={setDiscipline}
          options={disciplines.map((d) => ({ value: d, label: term(d) }))}
        />
        <Choice
          label="Service area"
          value={serviceAreaId}
          onChange={setServiceAreaId}
          options={(areas.data?.items ?? []).map((a) => ({ value: a.id, label: a.name }))}
        />
      </div>
      <PagedTable<Clinician>
        path="/clinicians"
        query={{ specialty, serviceAreaId, discipline }}
        caption="Clinicians"
        empty="No clinician matches these filters."
        columns={[
          {
            header: 'Name',
            cell: (c) => (
              <>
                {c.name}
                {c.status === 'active' ? null : <div className="muted">{label(c.status)}</div>}
              </>
            ),
          },
          { header: 'Discipline', cell: (c) => term(c.discipline) },
          { header: 'Specialties', cell: (c) => c.specialties.map(term).join(', ') || '—' },
          { header: 'Languages', cell: (c) => c.languages.join(', ') },
          {
            header: 'Certifications',
            cell: (c) => c.certifications.map(term).join(', ') || '—',
          },
          { header: 'Location', cell: (c) => <LocationName id={c.locationId} /> },
          { header: 'FTE', cell: (c) => c.fte.toFixed(2), numeric: true },
        ]}
      />
    </section>
  );
}

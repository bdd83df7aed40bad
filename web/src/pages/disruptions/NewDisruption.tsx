import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { api } from '../../api.ts';
import { ErrorMessage } from '../../components/Status.tsx';
import { CataloguePicker, type Picked } from './ScopePicker.tsx';
import { disruptionKinds, words, type Disruption, type DisruptionKind } from './types.ts';

/** The form for a new draft disruption: kind, title, scope (any mix), first and last day. */
export function NewDisruption() {
  const navigate = useNavigate();
  const client = useQueryClient();
  const [kind, setKind] = useState<DisruptionKind>('strike');
  const [title, setTitle] = useState('');
  const [startsOn, setStartsOn] = useState('');
  const [endsOn, setEndsOn] = useState('');
  const [clinicians, setClinicians] = useState<Picked[]>([]);
  const [locations, setLocations] = useState<Picked[]>([]);
  const [groups, setGroups] = useState<Picked[]>([]);
  const [areas, setAreas] = useState<Picked[]>([]);
  const [problem, setProblem] = useState<string | null>(null);

  const create = useMutation({
    mutationFn: () =>
      api<Disruption>('/disruptions', {
        method: 'POST',
        body: {
          kind,
          title,
          startsOn,
          endsOn: endsOn || null,
          scope: {
            clinicianIds: clinicians.map((c) => c.id),
            locationIds: locations.map((c) => c.id),
            groupIds: groups.map((c) => c.id),
            serviceAreaIds: areas.map((c) => c.id),
          },
        },
      }),
    onSuccess: async (created) => {
      await client.invalidateQueries({ queryKey: ['/disruptions'] });
      void navigate(`/disruptions/${created.id}`);
    },
  });

  const submit = (event: { preventDefault(): void }) => {
    event.preventDefault();
    if (clinicians.length + locations.length + groups.length + areas.length === 0) {
      setProblem('Choose at least one clinician, location, group or service area.');
      return;
    }
    if (endsOn && startsOn && endsOn < startsOn) {
      setProblem('The last day cannot come before the first.');
      return;
    }
    setProblem(null);
    create.mutate();
  };

  return (
    <section>
      <p>
        <Link to="/disruptions">← All disruptions</Link>
      </p>
      <h1>New disruption</h1>
      <form className="panel disruption-form" onSubmit={submit}>
        <div className="form-row">
          <div>
            <label htmlFor="d-kind">Kind</label>
            <select
              id="d-kind"
              value={kind}
              onChange={(e) => {
                setKind(e.target.value as DisruptionKind);
              }}
            >
              {disruptionKinds.map((k) => (
                <option key={k} value={k}>
                  {words(k)}
                </option>
              ))}
            </select>
          </div>
          <div className="grow">
            <label htmlFor="d-title">Title</label>
            <input
              id="d-title"
              required
              maxLength={200}
              value={title}
              onChange={(e) => {
                setTitle(e.target.value);
              }}
            />
          </div>
        </div>
        <div className="form-row">
          <div>
            <label htmlFor="d-starts">Starts on</label>
            <input
              id="d-starts"
              type="date"
              required
              value={startsOn}
              onChange={(e) => {
                setStartsOn(e.target.value);
              }}
            />
          </div>
          <div>
            <label htmlFor="d-ends">Ends on (empty while open-ended)</label>
            <input
              id="d-ends"
              type="date"
              value={endsOn}
              min={startsOn || undefined}
              onChange={(e) => {
                setEndsOn(e.target.value);
              }}
            />
          </div>
        </div>
        <h2>Scope</h2>
        <p className="muted">
          Any mix. A group is disrupted when every one of its facilitators is among the clinicians
          chosen.
        </p>
        <div className="pickers">
          <CataloguePicker
            label="Clinicians"
            path="/clinicians"
            chosen={clinicians}
            onChange={setClinicians}
          />
          <CataloguePicker
            label="Locations"
            path="/locations"
            chosen={locations}
            onChange={setLocations}
          />
          <CataloguePicker label="Groups" path="/groups" chosen={groups} onChange={setGroups} />
          <CataloguePicker
            label="Service areas"
            path="/service-areas"
            chosen={areas}
            onChange={setAreas}
          />
        </div>
        {problem ? (
          <div className="error" role="alert">
            {problem}
          </div>
        ) : null}
        {create.isError ? <ErrorMessage error={create.error} /> : null}
        <div className="toolbar">
          <button type="submit" disabled={create.isPending}>
            {create.isPending ? 'Creating…' : 'Create draft'}
          </button>
          <Link to="/disruptions">Cancel</Link>
        </div>
      </form>
    </section>
  );
}

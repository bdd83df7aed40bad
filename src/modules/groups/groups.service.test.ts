import { expect, it } from 'vitest';
import { buildGroup, buildLocation, buildServiceArea, create } from '../../test/factories.ts';
import { actingAs, bearerFor, describeEachEngine, rowCounts } from '../../test/harness.ts';

/* The group catalogue is not patient data: it is kept by admins and coordinators, read by staff. */

describeEachEngine('group catalogue access', (use) => {
  it('lets a coordinator create a group and refuses a clinician, writing nothing', async () => {
    const { context, app } = use();
    const area = await create(app, '/service-areas', buildServiceArea());
    const location = await create(app, '/locations', buildLocation(area.id));
    const clinician = actingAs(app, await bearerFor(context, 'clinician'));
    const coordinator = actingAs(app, await bearerFor(context, 'coordinator'));
    const before = await rowCounts(context);

    const refused = await clinician.inject({
      method: 'POST',
      url: '/api/v1/groups',
      payload: buildGroup(location.id),
    });

    expect(refused.statusCode).toBe(403);
    expect(refused.json()).toMatchObject({ error: { code: 'FORBIDDEN' } });
    expect(await rowCounts(context)).toEqual(before);
    const created = await coordinator.inject({
      method: 'POST',
      url: '/api/v1/groups',
      payload: buildGroup(location.id),
    });
    expect(created.statusCode).toBe(201);
  });

  it('shows a clinician a group’s sessions and refuses the auditor', async () => {
    const { context, app } = use();
    const area = await create(app, '/service-areas', buildServiceArea());
    const location = await create(app, '/locations', buildLocation(area.id));
    const group = await create(app, '/groups', buildGroup(location.id));
    const url = `/api/v1/groups/${group.id}/sessions`;

    const asClinician = await actingAs(app, await bearerFor(context, 'clinician')).inject(url);
    const asAuditor = await actingAs(app, await bearerFor(context, 'auditor')).inject(url);

    expect(asClinician.statusCode).toBe(200);
    expect(asClinician.json<{ items: unknown[] }>().items.length).toBeGreaterThan(0);
    expect(asAuditor.statusCode).toBe(403);
  });
});

import { expect, it } from 'vitest';
import { actingAs, bearerFor, describeEachEngine, rowCounts } from '../../test/harness.ts';
import { currentMatrix } from './equivalence.service.ts';

/* The organization's specialty-equivalence overrides: checked, all or nothing, admin only. */

interface Matrix {
  matrix: Record<string, Record<string, { score: number; rationale: string }>>;
  overrides: { need: string; target: string; score: number; updatedBy: string }[];
}

describeEachEngine('equivalence overrides', (use) => {
  it('ships the defaults: a general anxiety group scores low for a postpartum need', async () => {
    const { app } = use();
    const response = await app.inject({ method: 'GET', url: '/api/v1/equivalence' });
    expect(response.statusCode).toBe(200);
    const body = response.json<Matrix>();
    expect(body.matrix.perinatal_mood_anxiety?.general_anxiety?.score).toBeLessThan(0.5);
    expect(body.overrides).toEqual([]);
  });

  it('replaces the overrides as a whole, and re-matching reads them', async () => {
    const { app, context } = use();
    const put = await app.inject({
      method: 'PUT',
      url: '/api/v1/equivalence/overrides',
      payload: {
        overrides: [
          {
            need: 'grief',
            target: 'depression',
            score: 0.8,
            rationale: 'our depression groups run a bereavement track',
          },
        ],
      },
    });
    expect(put.statusCode).toBe(200);
    const read = (await app.inject({ method: 'GET', url: '/api/v1/equivalence' })).json<Matrix>();
    expect(read.matrix.grief?.depression).toEqual({
      score: 0.8,
      rationale: 'our depression groups run a bereavement track',
    });
    expect(read.overrides).toMatchObject([{ need: 'grief', target: 'depression', score: 0.8 }]);
    expect((await currentMatrix(context.db)).grief.depression.score).toBe(0.8);

    const cleared = await app.inject({
      method: 'PUT',
      url: '/api/v1/equivalence/overrides',
      payload: { overrides: [] },
    });
    expect(cleared.statusCode).toBe(200);
    expect((await currentMatrix(context.db)).grief.depression.score).toBeLessThan(0.8);
  });

  it('refuses a bad set naming every problem, and changes nothing', async () => {
    const { app, context } = use();
    const before = await rowCounts(context);
    const response = await app.inject({
      method: 'PUT',
      url: '/api/v1/equivalence/overrides',
      payload: {
        overrides: [
          { need: 'ptsd', target: 'ptsd', score: 0.4, rationale: 'x' },
          { need: 'grief', target: 'depression', score: 0.7, rationale: 'a' },
          { need: 'grief', target: 'depression', score: 0.6, rationale: 'b' },
        ],
      },
    });
    expect(response.statusCode).toBe(400);
    const issues = response.json<{ error: { details: { issues: { problem: string }[] } } }>().error
      .details.issues;
    expect(issues.map((i) => i.problem)).toEqual([
      'override 1 (ptsd → ptsd): a specialty always fully serves itself (score 1)',
      'override 3 (grief → depression): this cell is overridden more than once',
    ]);
    expect(await rowCounts(context)).toEqual(before);
  });

  it('lets a coordinator read the matrix but not change it', async () => {
    const { raw, context } = use();
    const coordinator = actingAs(raw, await bearerFor(context, 'coordinator'));
    expect(
      (await coordinator.inject({ method: 'GET', url: '/api/v1/equivalence' })).statusCode,
    ).toBe(200);
    const put = await coordinator.inject({
      method: 'PUT',
      url: '/api/v1/equivalence/overrides',
      payload: { overrides: [] },
    });
    expect(put.statusCode).toBe(403);
  });
});

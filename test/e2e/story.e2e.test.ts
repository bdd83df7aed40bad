import { expect, it } from 'vitest';
import { axeViolations } from './axe.ts';
import { describeDashboard, openPage, screenshot, settled, signIn } from './harness.ts';

/*
 * The demo story of issue #9, clicked through as a coordinator would: the Woodland Hills strike is
 * simulated, applied and re-matched; one proposal is explained; all are approved and committed; the
 * page names where each mother went, as many as the database says were placed.
 */

const strikeTitle = 'Woodland Hills perinatal therapists strike';

describeDashboard('the Woodland Hills strike, clicked through in Chromium', (use) => {
  it('simulates, applies, re-matches, explains, approves and commits, and shows the mothers placed', async () => {
    const dashboard = use();
    const { page, browserContext } = await openPage(dashboard);
    try {
      await signIn(page, dashboard, 'coordinator');
      await page
        .getByRole('navigation', { name: 'Pages' })
        .getByRole('link', { name: 'Disruptions' })
        .click();
      await settled(page);
      await page.getByRole('link', { name: strikeTitle }).click();
      await page.getByRole('heading', { name: strikeTitle, level: 1 }).waitFor();
      await settled(page);

      // Simulate: the impact, written nowhere.
      await page.getByRole('button', { name: 'Simulate' }).click();
      await page.getByRole('heading', { name: 'Impact' }).waitFor({ timeout: 60_000 });
      await settled(page);
      expect(await axeViolations(page)).toEqual([]);
      await screenshot(page, 'disruption');

      // Apply, confirmed.
      await page.getByRole('button', { name: 'Apply' }).first().click();
      await page.getByRole('alertdialog').getByRole('button', { name: 'Apply' }).click();
      await page.getByText('Applied.').waitFor({ timeout: 60_000 });

      // Re-match: the plan opens on its own page.
      await page.getByRole('button', { name: 'Re-match' }).click();
      await page.waitForURL(/\/rematch\/[^/]+$/, { timeout: 120_000 });
      const runId = new URL(page.url()).pathname.split('/').pop() ?? '';
      await page.getByRole('heading', { name: 'Re-match review', level: 1 }).waitFor();
      await page.getByRole('button', { name: 'Explain' }).first().waitFor({ timeout: 60_000 });
      await settled(page);

      // Explain the first proposal: its reasons open beneath it.
      const explain = page.getByRole('button', { name: 'Explain' }).first();
      await explain.click();
      expect(await explain.getAttribute('aria-expanded')).toBe('true');
      await page.locator('.explanation-row').first().waitFor();
      expect(await axeViolations(page)).toEqual([]);

      // Approve all, then commit.
      await page.getByRole('button', { name: 'Approve all' }).click();
      await expect
        .poll(
          async () =>
            dashboard.context.db
              .selectFrom('match_proposal')
              .select('id')
              .where('run_id', '=', runId)
              .where('decision', '=', 'pending')
              .execute()
              .then((rows) => rows.length),
          { timeout: 30_000 },
        )
        .toBe(0);
      await settled(page);
      await page.getByRole('button', { name: 'Commit' }).click();
      await page.getByText('Committed.').waitFor({ timeout: 120_000 });
      const placed = page.getByRole('table', { name: /Patients placed by this run/ });
      await placed.waitFor({ timeout: 30_000 });
      await settled(page);

      // As many rows as the database has committed placements, each naming where the mother went.
      const committed = await dashboard.context.db
        .selectFrom('match_proposal')
        .select(['id', 'committed_entity'])
        .where('run_id', '=', runId)
        .where('decision', '=', 'committed')
        .where('option', '<>', 'unmatched')
        .execute();
      expect(committed.length).toBeGreaterThan(0);
      expect(committed.every((p) => p.committed_entity !== null)).toBe(true);
      const rows = placed.locator('tbody tr');
      expect(await rows.count()).toBe(committed.length);
      const places = await placed.locator('tbody tr td:nth-child(3)').allTextContents();
      expect(places.every((p) => p.trim() !== '' && p !== '—')).toBe(true);
      expect(await axeViolations(page)).toEqual([]);
      await screenshot(page, 'rematch-run');
    } finally {
      await browserContext.close();
    }
  });
});

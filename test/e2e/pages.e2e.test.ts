import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { permissionsOf, roles, type Role } from '../../src/modules/auth/policy.domain.ts';
import { bearerFor } from '../../src/test/harness.ts';
import { pages, type PagePath } from '../../web/src/nav.ts';
import { axeViolations, overflows } from './axe.ts';
import {
  describeDashboard,
  openPage,
  screenshot,
  settled,
  signIn,
  tablet,
  type Dashboard,
} from './harness.ts';

/*
 * Every page of the menu in Chromium: no serious or critical axe violation for any role that opens
 * it, a screenshot at 1280×800 in docs/screenshots, nothing wider than a tablet (820 px), and not
 * one patient name in front of an auditor, on the page or in any answer the page received.
 */

/** docs/screenshots/<name>.png of each page. */
const shots: Record<PagePath, string> = {
  '/': 'overview',
  '/disruptions': 'disruptions',
  '/rematch': 'rematch',
  '/care-gaps': 'care-gaps',
  '/referrals': 'referrals',
  '/timely-access': 'timely-access',
  '/grievances': 'grievances',
  '/groups': 'groups',
};

/** Pages still being built: their checks are written, and skipped until they land (none now). */
const pending = new Set<PagePath>([]);

const mayOpen = (role: Role, path: PagePath): boolean => {
  const page = pages.find((p) => p.path === path);
  return page !== undefined && (permissionsOf(role) as string[]).includes(page.permission);
};

/** Whose view each screenshot shows: the coordinator's where they may open the page. */
const screenshotRoles: Role[] = ['coordinator', 'compliance', 'admin'];

/**
 * The demo story played through the API before the pages are seen, so every page has something
 * to show (an active disruption, a committed run with the mothers placed) and the auditor meets
 * pages where a name could leak. Returns the run's id.
 */
async function playStory(dashboard: Dashboard): Promise<string> {
  const authorization = await bearerFor(dashboard.context, 'admin');
  const call = async <T>(method: 'GET' | 'POST', url: string, payload?: object): Promise<T> => {
    const response = await dashboard.app.inject({
      method,
      url: `/api/v1${url}`,
      headers: { authorization },
      ...(payload ? { payload } : {}),
    });
    if (response.statusCode >= 300)
      throw new Error(`${method} ${url} answered ${response.statusCode}: ${response.body}`);
    return response.json<T>();
  };
  const drafts = await call<{ items: { id: string }[] }>('GET', '/disruptions?status=draft');
  const strike = drafts.items[0];
  if (!strike) throw new Error('the demo region has a draft disruption');
  await call('POST', `/disruptions/${strike.id}/simulate`, {});
  await call('POST', `/disruptions/${strike.id}/apply`, {});
  const run = await call<{ id: string }>('POST', `/disruptions/${strike.id}/rematch`, {});
  await call('POST', `/match-runs/${run.id}/decisions`, { decision: 'approved' });
  await call('POST', `/match-runs/${run.id}/commit`, {});
  return run.id;
}

describeDashboard('every page in Chromium', (use) => {
  let runId = '';
  beforeAll(async () => {
    runId = await playStory(use());
  }, 180_000);
  const signedIn = new Map<Role, Promise<{ page: Page; close(): Promise<void> }>>();
  /** One signed-in page per role, made on first use. */
  function pageOf(dashboard: Dashboard, role: Role) {
    let made = signedIn.get(role);
    if (!made) {
      made = (async () => {
        const { page, browserContext } = await openPage(dashboard);
        await signIn(page, dashboard, role);
        return { page, close: () => browserContext.close() };
      })();
      signedIn.set(role, made);
    }
    return made;
  }
  afterAll(async () => {
    for (const made of signedIn.values()) await (await made).close();
  });

  for (const { path, label } of pages) {
    it.skipIf(pending.has(path))(
      `${label}: no serious or critical axe violation for any role that opens it`,
      async () => {
        const dashboard = use();
        const found: string[] = [];
        for (const role of roles) {
          if (!dashboard.users.has(role) || !mayOpen(role, path)) continue;
          const { page } = await pageOf(dashboard, role);
          await page.goto(path);
          await page.getByRole('navigation', { name: 'Pages' }).waitFor();
          await settled(page);
          expect(await page.getByRole('heading', { name: 'Not for your role' }).count()).toBe(0);
          for (const violation of await axeViolations(page)) found.push(`${role}: ${violation}`);
          if (role === screenshotRoles.find((r) => mayOpen(r, path)))
            await screenshot(page, shots[path]);
        }
        expect(found).toEqual([]);
      },
    );
  }

  it('fits every page in a tablet’s width (820×1180) without horizontal scrolling', async () => {
    const dashboard = use();
    const { page, browserContext } = await openPage(dashboard, tablet);
    try {
      await signIn(page, dashboard, 'admin');
      const wide: string[] = [];
      for (const { path } of pages) {
        if (pending.has(path)) continue;
        await page.goto(path);
        await settled(page);
        const { scrollWidth, innerWidth } = await overflows(page);
        if (scrollWidth > innerWidth) wide.push(`${path}: ${scrollWidth} px in ${innerWidth}`);
      }
      expect(wide).toEqual([]);
    } finally {
      await browserContext.close();
    }
  });

  it('shows an auditor no patient name on any page of the menu, nor in any answer', async () => {
    const dashboard = use();
    const names = (await dashboard.context.db.selectFrom('patient').select('name').execute()).map(
      (p) => p.name,
    );
    expect(names.length).toBeGreaterThan(0);
    // The check can see a name: the coordinator, who may read patients, finds them on the run.
    const coordinator = (await pageOf(dashboard, 'coordinator')).page;
    await coordinator.goto(`/rematch/${runId}`);
    await settled(coordinator);
    const theirs = await coordinator.evaluate<string>('document.body.innerText');
    expect(names.some((name) => theirs.includes(name))).toBe(true);

    const { page, browserContext } = await openPage(dashboard);
    const answers: Promise<{ url: string; body: string }>[] = [];
    page.on('response', (response) => {
      if (!new URL(response.url()).pathname.startsWith('/api/')) return;
      answers.push(
        response
          .text()
          .catch(() => '')
          .then((body) => ({ url: response.url(), body })),
      );
    });
    try {
      await signIn(page, dashboard, 'auditor');
      const menu = page.getByRole('navigation', { name: 'Pages' }).getByRole('link');
      const labels = await menu.allTextContents();
      expect(labels.length).toBeGreaterThan(0);
      const seen: string[] = [];
      for (const label of labels) {
        await menu.getByText(label, { exact: true }).click();
        await settled(page);
        const text = await page.evaluate<string>('document.body.innerText');
        for (const name of names) if (text.includes(name)) seen.push(`${label} page: ${name}`);
      }
      // Every other address too, typed in (each should say it is not for this role), and the
      // committed run, where the mothers' names would be.
      for (const path of [...pages.map((p) => p.path), `/rematch/${runId}`]) {
        await page.goto(path);
        await settled(page);
        const text = await page.evaluate<string>('document.body.innerText');
        for (const name of names) if (text.includes(name)) seen.push(`${path}: ${name}`);
      }
      for (const { url, body } of await Promise.all(answers))
        for (const name of names) if (body.includes(name)) seen.push(`${url}: ${name}`);
      expect(answers.length).toBeGreaterThan(0);
      expect(seen).toEqual([]);
    } finally {
      await browserContext.close();
    }
  });
});

import { expect, it } from 'vitest';
import { permissionsOf, roles } from '../../src/modules/auth/policy.domain.ts';
import { pages } from '../../web/src/nav.ts';
import { axeViolations, overflows } from './axe.ts';
import { describeDashboard, openPage, screenshot, settled, signIn, tablet } from './harness.ts';

/*
 * The dashboard's shell in Chromium: the sign-in and expired-session pages, the menu each role
 * gets, the skip link, and signing in and opening a page with the keyboard alone.
 */

describeDashboard('the dashboard shell in Chromium', (use) => {
  it('shows an accessible sign-in page that fits a tablet', async () => {
    const dashboard = use();
    const { page, browserContext } = await openPage(dashboard);
    try {
      await page.goto('/');
      await page.getByRole('heading', { name: 'Continuity', level: 1 }).waitFor();
      await page.getByRole('button', { name: 'Sign in' }).waitFor();
      expect(await axeViolations(page)).toEqual([]);
      await screenshot(page, 'sign-in');
      await page.setViewportSize(tablet);
      const { scrollWidth, innerWidth } = await overflows(page);
      expect(scrollWidth).toBeLessThanOrEqual(innerWidth);
    } finally {
      await browserContext.close();
    }
  });

  it('refuses a wrong password with the API message', async () => {
    const dashboard = use();
    const { page, browserContext } = await openPage(dashboard);
    try {
      await page.goto('/');
      await page.getByLabel('Email').fill('coordinator@demo.continuity.example');
      await page.getByLabel('Password').fill('not the password');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await expect.poll(() => page.getByRole('alert').textContent()).toBeTruthy();
      expect(await page.getByRole('navigation', { name: 'Pages' }).count()).toBe(0);
    } finally {
      await browserContext.close();
    }
  });

  /** Ends the role's sessions on the server, as an idle timeout or a sign-out elsewhere would. */
  async function endSessions(role: 'coordinator'): Promise<void> {
    const { context, users } = use();
    const owner = await context.db
      .selectFrom('app_user')
      .select('id')
      .where('email', '=', users.get(role)?.email ?? '')
      .executeTakeFirstOrThrow();
    await context.db.deleteFrom('user_session').where('user_id', '=', owner.id).execute();
  }

  it('says plainly when the session has ended, and signs in again from there', async () => {
    const dashboard = use();
    const user = dashboard.users.get('coordinator');
    if (!user) throw new Error('no coordinator');
    const { page, browserContext } = await openPage(dashboard);
    try {
      await signIn(page, dashboard, 'coordinator');
      await settled(page);
      await endSessions('coordinator');
      // The next request the dashboard makes finds the session ended.
      await page
        .getByRole('navigation', { name: 'Pages' })
        .getByRole('link', { name: 'Disruptions' })
        .click();
      await page.getByText('Your session has ended').waitFor();
      expect(await page.getByRole('navigation', { name: 'Pages' }).count()).toBe(0);
      expect(await axeViolations(page)).toEqual([]);
      await screenshot(page, 'expired-session');

      await page.getByLabel('Email').fill(user.email);
      await page.getByLabel('Password').fill(user.password);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('navigation', { name: 'Pages' }).waitFor();
      expect(await page.getByText('Your session has ended').count()).toBe(0);
    } finally {
      await browserContext.close();
    }
  });

  it('serves the dashboard, not an API error, when a reload carries an ended session', async () => {
    const dashboard = use();
    const { page, browserContext } = await openPage(dashboard);
    try {
      await signIn(page, dashboard, 'coordinator');
      await endSessions('coordinator');
      await page.reload();
      await page.getByRole('button', { name: 'Sign in' }).waitFor();
      expect(await page.title()).toBe('Continuity');
    } finally {
      await browserContext.close();
    }
  });

  it('gives each role a menu of exactly the pages its permissions open', async () => {
    const dashboard = use();
    for (const role of roles) {
      if (!dashboard.users.has(role)) continue;
      const { page, browserContext } = await openPage(dashboard);
      try {
        await signIn(page, dashboard, role);
        const allowed = new Set<string>(permissionsOf(role));
        const expected = pages.filter((p) => allowed.has(p.permission)).map((p) => p.label);
        const menu = page.getByRole('navigation', { name: 'Pages' }).getByRole('link');
        expect(await menu.allTextContents(), role).toEqual(expected);
        await page.getByRole('button', { name: 'Sign out' }).click();
        await page.getByRole('button', { name: 'Sign in' }).waitFor();
      } finally {
        await browserContext.close();
      }
    }
  });

  it('signs in and opens a page with the keyboard alone, and the skip link reaches the content', async () => {
    const dashboard = use();
    const user = dashboard.users.get('coordinator');
    if (!user) throw new Error('no coordinator');
    const { page, browserContext } = await openPage(dashboard);
    try {
      await page.goto('/');
      await page.getByLabel('Email').waitFor();
      // The email field has the focus when the page opens.
      await page.keyboard.type(user.email);
      await page.keyboard.press('Tab');
      await page.keyboard.type(user.password);
      await page.keyboard.press('Enter');
      await page.getByRole('navigation', { name: 'Pages' }).waitFor();
      await settled(page);

      // The first Tab reaches the skip link, visibly; Enter moves the focus to the content.
      await page.keyboard.press('Tab');
      const skip = page.getByRole('link', { name: 'Skip to content' });
      expect(await page.evaluate<string>('document.activeElement.textContent')).toBe(
        'Skip to content',
      );
      expect(await skip.isVisible()).toBe(true);
      await page.keyboard.press('Enter');
      await expect.poll(() => page.evaluate<string>('document.activeElement?.id')).toBe('main');

      // Tab on from the top to the Disruptions link, and open it with Enter.
      await page.evaluate('document.activeElement?.blur()');
      let reached = false;
      for (let i = 0; i < 20 && !reached; i++) {
        await page.keyboard.press('Tab');
        reached = await page.evaluate<boolean>(
          "document.activeElement?.tagName === 'A' && document.activeElement.textContent === 'Disruptions'",
        );
      }
      expect(reached).toBe(true);
      await page.keyboard.press('Enter');
      await expect.poll(() => new URL(page.url()).pathname).toBe('/disruptions');
      await page.getByRole('heading', { name: 'Disruptions', level: 1 }).waitFor();
    } finally {
      await browserContext.close();
    }
  });
});

import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmdirSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { createDemoUsers, type DemoSignIn } from '../../src/cli/demo-users.ts';
import type { Context } from '../../src/context.ts';
import { buildApp } from '../../src/http/app.ts';
import { cliActor, type Role } from '../../src/modules/auth/policy.domain.ts';
import { systemClock } from '../../src/shared/clock.ts';
import { createTestContext, testEngines } from '../../src/test/harness.ts';

/*
 * The dashboard in a real browser: Debian's Chromium driven by playwright-core, against the whole
 * server (API and built dashboard) on a fresh embedded database holding the demo region and one
 * user per role. Without /usr/bin/chromium the suites are skipped with a message, except on CI
 * (CI=true), where a missing browser is a failure.
 */

export const chromiumPath = '/usr/bin/chromium';
const root = fileURLToPath(new URL('../../', import.meta.url));

/** Builds web/dist once per run, unless it is newer than its sources (web/build-if-needed.mjs). */
function buildDashboard(): void {
  // Suites run in parallel workers: one builds, the others wait for it.
  const lock = `${root}web/.e2e-build.lock`;
  const started = Date.now();
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      // A lock older than five minutes was left by a dead run.
      if (existsSync(lock) && Date.now() - statSync(lock).mtimeMs > 300_000) rmdirSync(lock);
      if (Date.now() - started > 300_000)
        throw new Error(`The dashboard build lock ${lock} stayed`);
      spawnSync('sleep', ['0.5']);
    }
  }
  try {
    const result = spawnSync('node', [`${root}web/build-if-needed.mjs`], {
      cwd: root,
      stdio: 'inherit',
    });
    if (result.status !== 0) throw new Error('npm run build:web failed');
  } finally {
    rmdirSync(lock);
  }
}

export interface Dashboard {
  context: Context;
  app: FastifyInstance;
  /** The server's address, e.g. http://127.0.0.1:41234 */
  url: string;
  browser: Browser;
  /** The demo sign-in of each role. */
  users: Map<Role, DemoSignIn>;
}

/**
 * Declares a browser suite: before its tests, the dashboard built, the demo region seeded, one user
 * per role, the server listening on 127.0.0.1 and Chromium launched; all torn down after.
 */
export function describeDashboard(title: string, suite: (use: () => Dashboard) => void): void {
  if (!existsSync(chromiumPath)) {
    if (process.env.CI === 'true') {
      describe(title, () => {
        it('has Chromium to run in', () => {
          throw new Error(
            `${chromiumPath} is missing: CI must install it (apt-get install -y chromium).`,
          );
        });
      });
      return;
    }
    console.warn(
      `Skipping the browser tests "${title}": ${chromiumPath} is absent (apt-get install chromium to run them).`,
    );
    describe.skip(`${title} (skipped: ${chromiumPath} is absent)`, () => {
      suite(() => {
        throw new Error('skipped');
      });
    });
    return;
  }
  describe(title, { timeout: 180_000 }, () => {
    let state: (Dashboard & { dispose(): Promise<void> }) | undefined;
    beforeAll(async () => {
      buildDashboard();
      const [engine] = testEngines();
      if (!engine) throw new Error('no embedded engine');
      // The real clock: session cookies expire by it.
      const context = await createTestContext(engine, systemClock);
      const services = context.servicesFor(cliActor('test'));
      await services.seed.seed({ scale: 'demo', seed: 1 });
      const users = new Map((await createDemoUsers(services)).map((u) => [u.role, u]));
      const app = await buildApp(context, { logger: false });
      await app.listen({ host: '127.0.0.1', port: 0 });
      const { port } = app.server.address() as AddressInfo;
      const browser = await chromium.launch({
        executablePath: chromiumPath,
        args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
      });
      state = {
        context,
        app,
        url: `http://127.0.0.1:${port}`,
        browser,
        users,
        async dispose() {
          await browser.close();
          await app.close();
          await context.dispose();
        },
      };
    }, 300_000);
    afterAll(async () => {
      await state?.dispose();
    });
    suite(() => {
      if (!state) throw new Error('The dashboard is not ready.');
      return state;
    });
  });
}

export const desktop = { width: 1280, height: 800 };
export const tablet = { width: 820, height: 1180 };

/** A fresh browser context (no cookies) and page; axe is injected into it, so CSP is bypassed. */
export async function openPage(
  dashboard: Dashboard,
  viewport = desktop,
): Promise<{ page: Page; browserContext: BrowserContext }> {
  const browserContext = await dashboard.browser.newContext({
    viewport,
    bypassCSP: true,
    baseURL: dashboard.url,
  });
  const page = await browserContext.newPage();
  return { page, browserContext };
}

/** Signs in as the role's demo user from the sign-in page, and waits for the menu. */
export async function signIn(page: Page, dashboard: Dashboard, role: Role): Promise<void> {
  const user = dashboard.users.get(role);
  if (!user) throw new Error(`no demo user for ${role}`);
  await page.goto('/');
  await page.getByLabel('Email').fill(user.email);
  await page.getByLabel('Password').fill(user.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('navigation', { name: 'Pages' }).waitFor();
}

/** Waits until the page has its heading and nothing is loading any more. */
export async function settled(page: Page): Promise<void> {
  await page.locator('h1').first().waitFor();
  await page.waitForLoadState('networkidle');
  await page.waitForFunction(
    `!document.querySelector('[role="status"]')?.textContent?.startsWith('Loading')`,
    undefined,
    { timeout: 30_000 },
  );
}

/** Writes docs/screenshots/<name>.png (overwritten each run). */
export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(`${root}docs/screenshots`, { recursive: true });
  await page.screenshot({ path: `${root}docs/screenshots/${name}.png` });
}

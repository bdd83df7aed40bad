import { createHash } from 'node:crypto';
import type { APIResponse, Locator, Page } from 'playwright-core';
import { beforeAll, expect, it } from 'vitest';
import { localDateOf } from '../../src/shared/clock.ts';
import { bearerFor } from '../../src/test/harness.ts';
import { axeViolations } from './axe.ts';
import {
  describeDashboard,
  openPage,
  screenshot,
  settled,
  signIn,
  type Dashboard,
} from './harness.ts';

/*
 * The continuity report panel on a disruption's page, in Chromium: after the coordinator applies
 * and re-matches the demo strike, the panel offers the report as of today; its links are the
 * server's own files (HTML in a new tab, PDF, JSON, CSV), each with the SHA-256 of its bytes in
 * X-Content-SHA256; the day chosen is the day the data stands at; compliance is offered the full
 * edition; an auditor, who has no disruption page, gets the de-identified report and not the full.
 */

const strikeTitle = 'Woodland Hills perinatal therapists strike';

const sha256 = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');

/** A calendar day `days` after `day` (YYYY-MM-DD), by the calendar, whatever the clocks do. */
function dayAfter(day: string, days: number): string {
  const noon = new Date(`${day}T12:00:00Z`);
  noon.setUTCDate(noon.getUTCDate() + days);
  return noon.toISOString().slice(0, 10);
}

/** The strike applied, re-matched, approved and committed through the API, as the coordinator. */
async function applyStrike(dashboard: Dashboard): Promise<string> {
  const authorization = await bearerFor(dashboard.context, 'coordinator');
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
  const drafts = await call<{ items: { id: string; title: string }[] }>(
    'GET',
    '/disruptions?status=draft',
  );
  const strike = drafts.items.find((d) => d.title === strikeTitle);
  if (!strike) throw new Error(`the demo region has the draft "${strikeTitle}"`);
  await call('POST', `/disruptions/${strike.id}/apply`, {});
  const run = await call<{ id: string }>('POST', `/disruptions/${strike.id}/rematch`, {});
  await call('POST', `/match-runs/${run.id}/decisions`, { decision: 'approved' });
  await call('POST', `/match-runs/${run.id}/commit`, {});
  return strike.id;
}

/** The panel on the disruption's page, signed in as the role. */
async function openPanel(
  dashboard: Dashboard,
  role: 'coordinator' | 'compliance',
  disruptionId: string,
): Promise<{ page: Page; panel: Locator; close: () => Promise<void> }> {
  const { page, browserContext } = await openPage(dashboard);
  await signIn(page, dashboard, role);
  await page.goto(`/disruptions/${disruptionId}`);
  await page.getByRole('heading', { name: strikeTitle, level: 1 }).waitFor();
  await settled(page);
  const panel = page.getByRole('region', { name: 'Continuity report' });
  await panel.waitFor();
  return { page, panel, close: () => browserContext.close() };
}

async function hrefOf(panel: Locator, name: string | RegExp): Promise<URL> {
  const href = await panel.getByRole('link', { name }).getAttribute('href');
  if (href === null) throw new Error(`the link ${String(name)} has no address`);
  return new URL(href, 'http://dashboard.invalid');
}

/** The values a select offers, in order. */
async function optionValues(select: Locator): Promise<(string | null)[]> {
  return Promise.all((await select.locator('option').all()).map((o) => o.getAttribute('value')));
}

/** The answer is the file the header's digest names. */
async function expectDigest(response: APIResponse): Promise<Buffer> {
  const body = await response.body();
  expect(response.headers()['x-content-sha256']).toBe(sha256(body));
  return body;
}

interface ReportJson {
  edition: string;
  applied: boolean;
  asOf: string;
  tables: { id: string }[];
}

describeDashboard('the continuity report on a disruption’s page, in Chromium', (use) => {
  let disruptionId = '';
  /** Today in the organization's time zone: the day the server reads a bare date in. */
  let today = '';
  beforeAll(async () => {
    const dashboard = use();
    disruptionId = await applyStrike(dashboard);
    today = localDateOf(new Date(), dashboard.context.config.TZ_ORG);
  }, 180_000);

  it('offers the coordinator today’s report, whose HTML and PDF are the server’s files with their digests', async () => {
    const dashboard = use();
    const { page, panel, close } = await openPanel(dashboard, 'coordinator', disruptionId);
    try {
      expect(await panel.getByLabel('Data as of').inputValue()).toBe(today);
      expect(await panel.getByLabel('Data as of').getAttribute('max')).toBe(today);
      expect(await panel.getByLabel('Edition').locator('option').allTextContents()).toEqual([
        'De-identified',
        'Full (names patients)',
      ]);
      expect(await panel.getByLabel('Edition').inputValue()).toBe('deidentified');
      expect(await page.getByText('every count of 1 to 10 patients').count()).toBe(1);

      const html = await hrefOf(panel, 'Open as HTML (new tab)');
      expect(html.pathname).toBe(`/api/v1/reports/disruptions/${disruptionId}`);
      expect(Object.fromEntries(html.searchParams)).toEqual({
        format: 'html',
        edition: 'deidentified',
        asOf: today,
      });
      expect(
        await panel.getByRole('link', { name: 'Open as HTML (new tab)' }).getAttribute('target'),
      ).toBe('_blank');
      const answer = await page.request.get(html.pathname + html.search);
      expect(answer.status()).toBe(200);
      expect(answer.headers()['content-type']).toMatch(/^text\/html/);
      const text = (await expectDigest(answer)).toString('utf8');
      expect(text).toContain('<title>Disruption continuity report');
      expect(text).toContain(strikeTitle);

      // Clicked, it opens in a new tab with the session's cookie.
      const [tab] = await Promise.all([
        page.context().waitForEvent('page'),
        panel.getByRole('link', { name: 'Open as HTML (new tab)' }).click(),
      ]);
      await tab.waitForLoadState();
      expect(await tab.title()).toMatch(/^Disruption continuity report/);
      await tab.close();

      const pdf = await hrefOf(panel, 'Download PDF');
      expect(pdf.searchParams.get('format')).toBe('pdf');
      const pdfAnswer = await page.request.get(pdf.pathname + pdf.search, { timeout: 120_000 });
      expect(pdfAnswer.status()).toBe(200);
      expect(pdfAnswer.headers()['content-type']).toMatch(/^application\/pdf/);
      const pdfBytes = await expectDigest(pdfAnswer);
      expect(pdfBytes.subarray(0, 4).toString('latin1')).toBe('%PDF');

      expect(await axeViolations(page)).toEqual([]);
      await panel.scrollIntoViewIfNeeded();
      await screenshot(page, 'disruption-report');
    } finally {
      await close();
    }
  });

  it('reports the data as of the day chosen, and refuses a day to come', async () => {
    const dashboard = use();
    const { page, panel, close } = await openPanel(dashboard, 'coordinator', disruptionId);
    const json = async (): Promise<ReportJson> => {
      const url = await hrefOf(panel, 'Download JSON');
      const answer = await page.request.get(url.pathname + url.search);
      expect(answer.status()).toBe(200);
      return JSON.parse((await expectDigest(answer)).toString('utf8')) as ReportJson;
    };
    try {
      // Applied today: as of today the strike has cancelled its sessions, as of yesterday not yet.
      expect((await json()).applied).toBe(true);
      const yesterday = dayAfter(today, -1);
      await panel.getByLabel('Data as of').fill(yesterday);
      expect((await hrefOf(panel, 'Download JSON')).searchParams.get('asOf')).toBe(yesterday);
      const before = await json();
      expect(before.applied).toBe(false);
      // A bare day is read as its end in the organization's time zone: the last instant is hers.
      expect(
        localDateOf(new Date(Date.parse(before.asOf) - 1), dashboard.context.config.TZ_ORG),
      ).toBe(yesterday);

      await panel.getByLabel('Data as of').fill(dayAfter(today, 1));
      await panel.getByRole('alert').waitFor();
      expect(await panel.getByRole('alert').textContent()).toContain('no later than today');
      expect(await panel.getByRole('link').count()).toBe(0);
      await panel.getByLabel('Data as of').fill(today);
      await panel.getByRole('link', { name: 'Download JSON' }).waitFor();
    } finally {
      await close();
    }
  });

  it('offers each table as CSV, the patients table only in the full edition', async () => {
    const dashboard = use();
    const { page, panel, close } = await openPanel(dashboard, 'coordinator', disruptionId);
    try {
      const tableChoice = panel.getByLabel('CSV table');
      const deidentified = await optionValues(tableChoice);
      // The tables the de-identified JSON holds, in its order.
      const url = await hrefOf(panel, 'Download JSON');
      const report = (await (
        await page.request.get(url.pathname + url.search)
      ).json()) as ReportJson;
      expect(report.edition).toBe('deidentified');
      expect(deidentified).toEqual(report.tables.map((t) => t.id));
      expect(deidentified).not.toContain('patients');

      await tableChoice.selectOption('placement');
      const csv = await hrefOf(panel, /^Download CSV/);
      expect(Object.fromEntries(csv.searchParams)).toMatchObject({
        format: 'csv',
        table: 'placement',
      });
      const answer = await page.request.get(csv.pathname + csv.search);
      expect(answer.status()).toBe(200);
      expect(answer.headers()['content-type']).toMatch(/^text\/csv/);
      await expectDigest(answer);

      await panel.getByLabel('Edition').selectOption('full');
      const full = await optionValues(tableChoice);
      expect(full).toEqual([...deidentified, 'patients']);
      await tableChoice.selectOption('patients');
      const patients = await hrefOf(panel, /^Download CSV/);
      expect(Object.fromEntries(patients.searchParams)).toMatchObject({
        format: 'csv',
        edition: 'full',
        table: 'patients',
      });
      const patientsAnswer = await page.request.get(patients.pathname + patients.search);
      expect(patientsAnswer.status()).toBe(200);
      await expectDigest(patientsAnswer);

      // Back to de-identified: the patients table is no longer offered, nor asked for.
      await panel.getByLabel('Edition').selectOption('deidentified');
      expect((await hrefOf(panel, /^Download CSV/)).searchParams.get('table')).toBe('summary');
    } finally {
      await close();
    }
  });

  it('offers compliance the full edition, which names the displaced patients', async () => {
    const dashboard = use();
    const { page, panel, close } = await openPanel(dashboard, 'compliance', disruptionId);
    try {
      expect(await panel.getByLabel('Edition').locator('option').allTextContents()).toContain(
        'Full (names patients)',
      );
      await panel.getByLabel('Edition').selectOption('full');
      const url = await hrefOf(panel, 'Download JSON');
      expect(url.searchParams.get('edition')).toBe('full');
      const answer = await page.request.get(url.pathname + url.search);
      expect(answer.status()).toBe(200);
      const report = JSON.parse((await expectDigest(answer)).toString('utf8')) as ReportJson;
      expect(report.edition).toBe('full');
      expect(report.tables.map((t) => t.id)).toContain('patients');
      expect(await axeViolations(page)).toEqual([]);
    } finally {
      await close();
    }
  });

  it('gives a signed-in auditor the de-identified report and refuses the full one', async () => {
    const dashboard = use();
    const { page, browserContext } = await openPage(dashboard);
    try {
      await signIn(page, dashboard, 'auditor');
      const address = (edition: string) =>
        `/api/v1/reports/disruptions/${disruptionId}?${new URLSearchParams({ format: 'html', edition, asOf: today }).toString()}`;
      const full = await browserContext.request.get(address('full'));
      expect(full.status()).toBe(403);
      expect(((await full.json()) as { error: { code: string } }).error.code).toBe('FORBIDDEN');
      const deidentified = await browserContext.request.get(address('deidentified'));
      expect(deidentified.status()).toBe(200);
      expect(deidentified.headers()['content-type']).toMatch(/^text\/html/);
      await expectDigest(deidentified);
    } finally {
      await browserContext.close();
    }
  });
});

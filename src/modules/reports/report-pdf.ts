import { existsSync } from 'node:fs';
import { chromium } from 'playwright-core';
import { AppError } from '../../shared/errors.ts';

/** Flags for a headless Chromium that reaches no network and needs no sandbox or GPU. */
const launchArgs = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
];

/**
 * Prints a report's HTML to PDF with Chromium (Letter, with its backgrounds). The page runs no
 * script and may fetch nothing: the HTML carries its styles and its SVG charts. Each page's footer
 * repeats `footer` (the evidence) and the page number. Throws UNAVAILABLE when Chromium is absent.
 */
export async function printPdf(
  html: string,
  footer: string,
  chromiumPath: string,
): Promise<Buffer> {
  if (!existsSync(chromiumPath))
    throw new AppError(
      'UNAVAILABLE',
      `PDF reports need Chromium at ${chromiumPath} (apt-get install chromium, or set CHROMIUM_PATH); the html, csv and json formats work without it.`,
      { chromiumPath },
    );
  const browser = await chromium.launch({ executablePath: chromiumPath, args: launchArgs });
  try {
    const context = await browser.newContext({ javaScriptEnabled: false, offline: true });
    const page = await context.newPage();
    await page.route('**/*', (route) => route.abort());
    await page.setContent(html, { waitUntil: 'load' });
    const escaped = footer.replaceAll('&', '&amp;').replaceAll('<', '&lt;');
    return await page.pdf({
      format: 'Letter',
      printBackground: true,
      preferCSSPageSize: true,
      displayHeaderFooter: true,
      headerTemplate: '<span></span>',
      footerTemplate: `<div style="font-size:6.5pt;color:#4b5563;width:100%;padding:0 12mm;display:flex;justify-content:space-between;gap:4mm"><span style="word-break:break-all">${escaped}</span><span style="white-space:nowrap"><span class="pageNumber"></span> / <span class="totalPages"></span></span></div>`,
    });
  } finally {
    await browser.close();
  }
}

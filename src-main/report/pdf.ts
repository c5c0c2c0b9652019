/**
 * HTML to PDF through a local Chromium (playwright-core drives it; no browser is downloaded). The
 * page is loaded with JavaScript disabled and the network cut off: the report needs neither.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';

export const DEFAULT_CHROMIUM = '/usr/bin/chromium';

/** Switches for a headless print: no GPU, no background traffic. The sandbox is decided apart. */
export const CHROMIUM_ARGS = [
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/**
 * How to launch Chromium for a user id: with its sandbox, except as root, where Chromium refuses to
 * start sandboxed. Playwright turns the sandbox off unless told otherwise (chromiumSandbox), so it
 * is said both ways.
 */
/** `uid` null: a platform without user ids (Windows). */
export function chromiumLaunchOptions(uid: number | null = process.getuid?.() ?? null): {
  args: string[];
  chromiumSandbox: boolean;
} {
  const root = uid === 0;
  return { args: root ? ['--no-sandbox', ...CHROMIUM_ARGS] : [...CHROMIUM_ARGS], chromiumSandbox: !root };
}

/** The Chromium to print with: GLASSPANE_CHROMIUM, else Debian's; null when neither exists. */
export function findChromium(env: NodeJS.ProcessEnv = process.env): string | null {
  const p = env.GLASSPANE_CHROMIUM ?? DEFAULT_CHROMIUM;
  return p !== '' && existsSync(p) ? p : null;
}

export type PdfResult = { ok: true; pdf: Buffer } | { ok: false; reason: string };

export async function htmlToPdf(
  html: string,
  executablePath: string | null = findChromium(),
): Promise<PdfResult> {
  if (executablePath === null) {
    return {
      ok: false,
      reason: 'no Chromium found (install chromium, or set GLASSPANE_CHROMIUM to its path)',
    };
  }
  let chromium: typeof import('playwright-core').chromium;
  try {
    // Loaded at run time, never bundled (it finds its own files beside it); a development dependency,
    // so a packaged build may lack it.
    ({ chromium } = createRequire(import.meta.url)('playwright-core') as typeof import('playwright-core'));
  } catch {
    return { ok: false, reason: 'playwright-core is not installed' };
  }
  let browser;
  try {
    browser = await chromium.launch({ executablePath, ...chromiumLaunchOptions(), timeout: 30_000 });
  } catch (e) {
    return {
      ok: false,
      reason: `Chromium did not start: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`,
    };
  }
  try {
    const context = await browser.newContext({ javaScriptEnabled: false, offline: true });
    const page = await context.newPage();
    await page.route('**/*', (route) => route.abort());
    await page.setContent(html, { waitUntil: 'load', timeout: 60_000 });
    const pdf = await page.pdf({ printBackground: true, preferCSSPageSize: true });
    return { ok: true, pdf };
  } catch (e) {
    return {
      ok: false,
      reason: `printing failed: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`,
    };
  } finally {
    await browser.close().catch(() => {});
  }
}

/**
 * A PDF printer for a long-running host (glasspane serve): the local Chromium, one print at a time
 * (each starts a browser; two cores are not for a crowd of them). Null when there is no Chromium.
 */
export function chromiumPrinter(
  executablePath: string | null = findChromium(),
): ((html: string) => Promise<Buffer>) | null {
  if (executablePath === null) return null;
  let queue: Promise<unknown> = Promise.resolve();
  return (html) => {
    const job = queue.then(async () => {
      const r = await htmlToPdf(html, executablePath);
      if (!r.ok) throw new Error(r.reason);
      return r.pdf;
    });
    queue = job.catch(() => {});
    return job;
  };
}

/**
 * The console end to end: `glasspane serve` as a child process serving a fresh renderer build,
 * Debian's Chromium through playwright-core opening the printed URL. The page connects with the
 * token, lists this machine's interfaces, and opens the demo capture through its own path form;
 * the status bar then shows what the engine holds. Screenshots go to test-results/.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { parseCallResult } from '../../shared/ipc/contract';
import { demoCapturePath } from '../../src-main/demo/demo-path';
import { generateDemoFrames } from '../../src-main/demo/generate';
import { DEFAULT_CHROMIUM, CHROMIUM_ARGS } from '../../src-main/report/pdf';
import { runBuild } from '../electron/helpers/paths';
import { repoRoot, startServe, type ServeProcess } from './helpers/serve-process';
import { WsClient } from './helpers/ws-client';

const haveChromium = existsSync(DEFAULT_CHROMIUM);
const SKIP = `${DEFAULT_CHROMIUM} is absent`;
const results = join(repoRoot, 'test-results');
const tmp = mkdtempSync(join(tmpdir(), 'gp-console-'));
process.env.GLASSPANE_CACHE_DIR = join(tmp, 'cache');
let browser: Browser | null = null;
let serve: ServeProcess | null = null;

before(async () => {
  if (!haveChromium) return;
  runBuild([`--out=${tmp}`, '--only=renderer']);
  mkdirSync(results, { recursive: true });
  serve = await startServe(['--renderer', join(tmp, 'renderer')], {
    GLASSPANE_CACHE_DIR: join(tmp, 'cache'),
  });
  const { chromium } = await import('playwright-core');
  browser = await chromium.launch({ executablePath: DEFAULT_CHROMIUM, args: CHROMIUM_ARGS });
});

after(async () => {
  await browser?.close();
  await serve?.stop();
  rmSync(tmp, { recursive: true, force: true });
});

test('the served console connects, lists interfaces, and opens the demo capture from its path form', async (t) => {
  if (!haveChromium) return t.skip(SKIP);
  const page = await browser!.newPage({ viewport: { width: 1200, height: 760 } });
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  // Every request the page makes is answered (the favicon included: it once logged a 404).
  page.on('response', (r) => {
    if (r.status() >= 400) problems.push(`${r.status()} ${new URL(r.url()).pathname}`);
  });
  page.on('requestfailed', (r) => problems.push(`failed ${new URL(r.url()).pathname}`));
  page.on('console', (m) => {
    if (/Content Security Policy|Refused to/i.test(m.text())) problems.push(`csp: ${m.text()}`);
  });
  const res = await page.goto(serve!.url);
  assert.match(res?.headers()['content-security-policy'] ?? '', /default-src 'none'/);

  await page.getByTestId('interfaces').waitFor({ timeout: 15_000 });
  assert.equal(await page.getByTestId('connection').count(), 0, 'no connection banner once connected');
  assert.doesNotMatch(page.url(), /token/, 'the token leaves the address bar');
  const shown = await page
    .getByTestId('interfaces')
    .locator('tbody tr td:first-child .mono')
    .allTextContents();
  assert.ok(shown.includes('lo'), `interfaces shown: ${shown}`);
  await page.screenshot({ path: join(results, 'serve-console-connected.png') });

  // The console has no file picker, so the page asks for a path on the engine's machine.
  const demo = await demoCapturePath();
  await page.getByRole('button', { name: 'Open capture file…' }).click();
  await page.getByLabel('Path on the engine’s machine').fill(demo);
  await page.getByRole('button', { name: 'Open', exact: true }).click();
  const status = page.getByTestId('status');
  await status.getByText('Finished').waitFor({ timeout: 20_000 });

  // What the page shows is what the engine holds.
  const c = await WsClient.connect(serve!.origin, serve!.token);
  const snap = parseCallResult('getSnapshot', await c.call('getSnapshot', {}));
  c.close();
  assert.ok(snap.ok && snap.value.status.state === 'finished');
  const fmt = new Intl.NumberFormat('en');
  const text = (await status.textContent()) ?? '';
  assert.match(text, new RegExp(`${fmt.format(snap.value.devices.length)} devices`));
  assert.match(text, new RegExp(`${fmt.format(generateDemoFrames().records.length)} packets`));
  await page.screenshot({ path: join(results, 'serve-console-demo.png') });
  assert.deepEqual(problems, []);
  await page.close();

  // A page that connects to an engine already holding a run (serve --open, a reload) lands on the
  // inventory, not on the start screen.
  const later = await browser!.newPage({ viewport: { width: 1200, height: 760 } });
  await later.goto(serve!.url);
  await later.getByRole('tab', { name: /Inventory/, selected: true }).waitFor({ timeout: 15_000 });
  assert.equal(await later.getByRole('tab', { name: 'Capture', selected: true }).count(), 0);
  await later.close();
});

test('a page with a wrong token is refused and says so', async (t) => {
  if (!haveChromium) return t.skip(SKIP);
  const page = await browser!.newPage();
  await page.goto(`${serve!.origin}/?token=wrong`);
  await page.getByText('Not connected.').waitFor({ timeout: 15_000 });
  assert.match(
    (await page.getByTestId('connection').textContent()) ?? '',
    /refused this page’s access token/,
  );
  await page.close();
});

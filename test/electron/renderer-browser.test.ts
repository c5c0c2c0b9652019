/**
 * The renderer in a plain browser, as the web console will serve it: built, served from 127.0.0.1,
 * opened in Debian's Chromium through playwright-core. Without a WebSocket host it must say it is not
 * connected (not show a blank page); with a host speaking the wire protocol over the real dispatcher
 * it must list this machine's interfaces.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';
import { IDLE_STATUS } from '../../shared/ipc/contract';
import { createEngine } from '../../src-main/engine/engine';
import { createEventHub } from '../../src-main/ipc/event-hub';
import { placeholderEngine } from '../helpers/placeholder-engine';
import { startConsoleHost } from './helpers/console-host';
import { CHROMIUM, CHROMIUM_ARGS, repoRoot, runBuild } from './helpers/paths';
import { corpusPath, skipUnlessCorpus } from '../helpers/corpus';
import { tshark, tsharkAvailable } from '../helpers/tshark';

const haveChromium = existsSync(CHROMIUM);
const SKIP = `${CHROMIUM} is absent (apt-get install chromium)`;
const results = join(repoRoot, 'test-results');
let outDir = '';
let browser: Browser | null = null;

before(async () => {
  if (!haveChromium) return;
  outDir = mkdtempSync(join(tmpdir(), 'glasspane-renderer-'));
  runBuild([`--out=${outDir}`, '--only=renderer']);
  mkdirSync(results, { recursive: true });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
});

after(async () => {
  await browser?.close();
  if (outDir) rmSync(outDir, { recursive: true, force: true });
});

/** Opens a page that records CSP violations and uncaught errors; both must stay empty. */
async function open(url: string, colorScheme: 'light' | 'dark' = 'light') {
  const page = await browser!.newPage({ viewport: { width: 1100, height: 700 }, colorScheme });
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (/Content Security Policy|Refused to/i.test(m.text())) problems.push(`csp: ${m.text()}`);
  });
  await page.goto(url);
  return { page, problems };
}

async function text(page: Page, testId: string): Promise<string> {
  return (await page.getByTestId(testId).textContent()) ?? '';
}

test('without a host: the first window says it is not connected, and keeps its token out of the URL', async (t) => {
  if (!haveChromium) return t.skip(SKIP);
  const host = await startConsoleHost(join(outDir, 'renderer'));
  try {
    const { page, problems } = await open(`${host.url}?token=s3cret`);
    await page.getByText('Not connected.').waitFor({ timeout: 10_000 });
    assert.match(await text(page, 'connection'), /not reachable/);
    assert.match(await text(page, 'connection'), /Retrying in \d+ s/);
    assert.equal(await page.getByRole('heading', { name: 'Capture sources' }).isVisible(), true);
    assert.match(await text(page, 'sources-unknown'), /unknown until the engine is connected/);
    assert.equal(await page.getByRole('button', { name: 'Open capture file…' }).isDisabled(), true);
    assert.doesNotMatch(page.url(), /token/);
    assert.match(await text(page, 'status'), /No capture running/);
    await page.screenshot({ path: join(results, 'first-window.png') });
    assert.deepEqual(problems, []);
    await page.close();
  } finally {
    await host.close();
  }
});

test('without a token: says where to get one, and does not retry', async (t) => {
  if (!haveChromium) return t.skip(SKIP);
  const host = await startConsoleHost(join(outDir, 'renderer'));
  try {
    const { page, problems } = await open(host.url);
    await page.getByText('Not connected.').waitFor({ timeout: 10_000 });
    const banner = await text(page, 'connection');
    assert.match(banner, /no access token/);
    assert.doesNotMatch(banner, /Retrying/);
    assert.deepEqual(problems, []);
    await page.close();
  } finally {
    await host.close();
  }
});

test('with a host: lists this machine’s interfaces, live-capture availability and status events', async (t) => {
  if (!haveChromium) return t.skip(SKIP);
  const host = await startConsoleHost(join(outDir, 'renderer'), {
    token: 'tok-123',
    engine: placeholderEngine(),
  });
  try {
    const { page, problems } = await open(`${host.url}?token=tok-123`, 'dark');
    const table = page.getByTestId('interfaces');
    await table.waitFor({ timeout: 10_000 });
    assert.equal(await page.getByTestId('connection').count(), 0, 'no banner once connected');
    const shown = await table.locator('tbody tr td:first-child .mono').allTextContents();
    for (const name of Object.keys(networkInterfaces())) assert.ok(shown.includes(name), `${name} not shown`);
    const live = await text(page, 'live-availability');
    assert.match(live, /Live capture is (available|unavailable)/);
    if (/unavailable/.test(live)) assert.match(live, /To fix:/);

    // An event from the engine reaches the status bar, numbers formatted.
    host.broadcast('captureStatus', {
      ...IDLE_STATUS,
      state: 'running',
      source: { kind: 'live', interfaces: ['eth0'], filter: null },
      counters: { packets: 12345, bytes: 67890, drops: 7, malformed: 2 },
    });
    await page.getByText('Capturing').waitFor({ timeout: 5_000 });
    const status = await text(page, 'status');
    assert.match(status, /12,345 packets/);
    assert.match(status, /7 dropped/);
    assert.match(status, /2 malformed/);

    // A malformed event is dropped, not rendered.
    host.broadcast('captureStatus', { ...IDLE_STATUS, state: 'exploded' } as never);
    await page.waitForTimeout(200);
    assert.match(await text(page, 'status'), /Capturing/);

    // The button asks the host for a picker; the console has none, so it asks for a path, and the
    // engine's refusal is shown as text.
    await page.getByRole('button', { name: 'Open capture file…' }).click();
    await page.getByLabel('Path on the engine’s machine').fill('/tmp/<img src=x onerror=alert(1)>.pcap');
    await page.getByRole('button', { name: 'Open', exact: true }).click();
    await page.getByRole('alert').waitFor({ timeout: 5_000 });
    assert.match(
      (await page.getByRole('alert').textContent()) ?? '',
      /cannot analyse captures from this window yet/,
    );
    assert.equal(await page.locator('img').count(), 0);

    await page.screenshot({ path: join(results, 'first-window-connected-dark.png') });
    assert.deepEqual(problems, []);
    await page.close();
  } finally {
    await host.close();
  }
});

test('with the real engine: a capture opened by path fills the status bar', async (t) => {
  if (!haveChromium) return t.skip(SKIP);
  const file = corpusPath('bacnet-iam__ndpi__bacnet.pcap');
  if (skipUnlessCorpus(t, file)) return;
  // The frame count comes from tshark, not from our code.
  if (!tsharkAvailable()) return t.skip('tshark is not available');
  const frames = tshark(['-r', file, '-T', 'fields', '-e', 'frame.number']).trim().split('\n').length;

  const hub = createEventHub(() => {});
  const engine = createEngine({ hub, collectMs: 20 });
  const host = await startConsoleHost(join(outDir, 'renderer'), { token: 't', engine, hub });
  try {
    const { page, problems } = await open(`${host.url}?token=t`);
    await page.getByTestId('interfaces').waitFor({ timeout: 10_000 });
    await page.getByRole('button', { name: 'Open capture file…' }).click();
    await page.getByLabel('Path on the engine’s machine').fill(file);
    await page.getByRole('button', { name: 'Open', exact: true }).click();
    await page.getByText('Finished').waitFor({ timeout: 10_000 });
    const status = await text(page, 'status');
    assert.match(status, new RegExp(`(^|\\D)${frames} packets`));
    const snap = await engine.getSnapshot({});
    assert.ok(snap.devices.length > 0);
    assert.match(status, new RegExp(`(^|\\D)${snap.devices.length} devices`));
    assert.deepEqual(problems, []);
    await page.close();
  } finally {
    await host.close();
    await engine.close();
  }
});

test('with a host that refuses the token: says so and stops retrying', async (t) => {
  if (!haveChromium) return t.skip(SKIP);
  const host = await startConsoleHost(join(outDir, 'renderer'), {
    token: 'right',
    engine: placeholderEngine(),
  });
  try {
    const { page } = await open(`${host.url}?token=wrong`);
    await page.getByText('Not connected.').waitFor({ timeout: 10_000 });
    const banner = await text(page, 'connection');
    assert.match(banner, /refused this page’s access token/);
    assert.doesNotMatch(banner, /Retrying/);
    await page.close();
  } finally {
    await host.close();
  }
});

/**
 * A sensors' console in a real Chromium: `glasspane serve --nats` serving a fresh renderer build,
 * following two sites that real sensors filled from corpus captures on a real nats-server. The grid
 * has a Site column and a Site facet whose counts are the sites' devices (a click leaves those rows);
 * the Sensors view lists both sensors with their site, state and packets. Screenshots go to
 * test-results/serve-nats-*.png.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { DEFAULT_CHROMIUM, CHROMIUM_ARGS } from '../../src-main/report/pdf';
import { analyzeFile, createAnalyzer } from '../../src-main/engine/pipeline';
import { TestNats } from '../helpers/nats-server';
import {
  BACNET_CAPTURE as A,
  DHCP_CAPTURE as B,
  natsCorpusSkip,
  passwordAuth,
  sensorArgs,
} from '../helpers/nats-sensor';
import { runCli } from '../helpers/sensor-run';
import { waitRows } from '../ui/helpers/console-page';
import { runBuild } from '../electron/helpers/paths';
import { repoRoot, startServe, type ServeProcess } from './helpers/serve-process';

const skip = (existsSync(DEFAULT_CHROMIUM) ? null : `${DEFAULT_CHROMIUM} is absent`) ?? natsCorpusSkip(A, B);
const results = join(repoRoot, 'test-results');
const tmp = mkdtempSync(join(tmpdir(), 'gp-nats-console-'));
let browser: Browser | null = null;
let serve: ServeProcess | null = null;
let nats: TestNats | null = null;
const others: ServeProcess[] = [];

async function devices(file: string): Promise<number> {
  const a = createAnalyzer();
  await analyzeFile(a, file);
  return a.snapshot().devices.length;
}

before(async () => {
  if (skip !== null) return;
  runBuild([`--out=${tmp}`, '--only=renderer']);
  mkdirSync(results, { recursive: true });
  nats = await new TestNats([{ user: 'sensor', password: 'sensor-secret' }]).start();
  const auth = passwordAuth(nats, 'sensor');
  for (const [site, sensor, file] of [
    ['a', 's1', A],
    ['b', 's2', B],
  ] as const) {
    const r = await runCli(sensorArgs(site, sensor, auth, tmp, '--read', file));
    assert.equal(r.code, 0, r.stderr);
  }
  serve = await startServe(['--renderer', join(tmp, 'renderer'), ...auth]);
  const { chromium } = await import('playwright-core');
  browser = await chromium.launch({ executablePath: DEFAULT_CHROMIUM, args: CHROMIUM_ARGS });
});

after(async () => {
  await browser?.close();
  await serve?.stop();
  for (const o of others) await o.stop();
  await nats?.cleanup();
  rmSync(tmp, { recursive: true, force: true });
});

test('the Site column and facet, and the Sensors view', { skip: skip ?? false }, async () => {
  const [na, nb] = await Promise.all([devices(A), devices(B)]);
  const page = await browser!.newPage({ viewport: { width: 1400, height: 800 } });
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  await page.goto(serve!.url);
  await page.getByRole('tab', { name: /Inventory/ }).click();
  await waitRows(page, na + nb, 60_000);
  // The Site column is chosen (hidden by default, so a local capture's grid and exports stay as they were).
  await page.getByRole('button', { name: 'Columns' }).click();
  await page.getByTestId('column-chooser').getByLabel('Site', { exact: true }).check();
  await page.getByTestId('column-chooser').getByRole('button', { name: 'Close' }).click();
  assert.equal(await page.getByRole('columnheader', { name: 'Site' }).count(), 1);

  const facet = page.locator('[data-facet="site"]');
  const values = async () =>
    Object.fromEntries(
      await facet
        .locator('.facet-value')
        .evaluateAll((els) =>
          els.map((e) => [
            e.querySelector('.facet-label')?.textContent ?? '',
            Number(e.querySelector('.facet-count')?.textContent),
          ]),
        ),
    ) as Record<string, number>;
  assert.deepEqual(await values(), { a: na, b: nb });
  await facet.locator('.facet-value', { hasText: 'b' }).click();
  await waitRows(page, nb);
  // Every row left says site b in its Site cell (the last column).
  const sites = await page.locator('.grid-body [role="row"] [role="gridcell"]:last-child').allTextContents();
  assert.deepEqual(sites, Array<string>(nb).fill('b'));
  await page.screenshot({ path: join(results, 'serve-nats-site-facet.png') });

  await page.getByRole('tab', { name: 'Sensors' }).click();
  const view = page.getByTestId('sensors-view');
  await view.locator('tr[data-sensor="a/s1"]').waitFor({ timeout: 15_000 });
  const row = async (key: string) =>
    (await view.locator(`tr[data-sensor="${key}"] td`).allTextContents()).map((t) => t.trim());
  const s1 = await row('a/s1');
  const s2 = await row('b/s2');
  assert.deepEqual(s1.slice(0, 3), ['a', 's1', 'stopped'], '--read sensors say they stopped');
  assert.deepEqual(s2.slice(0, 3), ['b', 's2', 'stopped']);
  assert.equal(s1[3], new Intl.NumberFormat('en').format(3257), 'packets of capture A');
  assert.equal(await view.locator('tbody tr').count(), 2);
  await page.screenshot({ path: join(results, 'serve-nats-sensors.png') });
  assert.deepEqual(problems, []);
  await page.close();
});

test(
  'the connection dialog points a console without --nats at the sensors',
  { skip: skip ?? false },
  async () => {
    const na = await devices(A);
    const plain = await startServe([
      '--renderer',
      join(tmp, 'renderer'),
      '--data-dir',
      join(tmp, 'console-data'),
    ]);
    others.push(plain);
    const page = await browser!.newPage({ viewport: { width: 1400, height: 800 } });
    await page.goto(plain.url);
    await page.getByRole('tab', { name: 'Sensors' }).click();
    const dialog = page.getByTestId('sensor-connection');
    await dialog.waitFor({ timeout: 15_000 });
    await dialog.getByLabel('NATS server').fill(nats!.url);
    await dialog.getByLabel('Sites (blank: every site readable)').fill('a');
    await dialog.getByLabel('User').fill('sensor');
    // A wrong password is refused with the engine's reason.
    await dialog.getByLabel('Password file').fill(nats!.passwordFile('wrong', 'not-it'));
    await dialog.getByRole('button', { name: 'Connect' }).click();
    await page
      .getByTestId('connection-error')
      .getByText(/refused these credentials/)
      .waitFor({ timeout: 20_000 });
    await dialog.getByLabel('Password file').fill(nats!.passwordFile('sensor'));
    await dialog.getByRole('button', { name: 'Connect' }).click();
    await page
      .getByTestId('connection-status')
      .getByText(/following site\(s\) a at nats:/)
      .waitFor({ timeout: 20_000 });
    await page.screenshot({ path: join(results, 'serve-nats-connection.png') });
    await page.getByRole('tab', { name: /Inventory/ }).click();
    await waitRows(page, na, 60_000);
    await page.close();
  },
);

/**
 * The alerts view, the device timeline and alerts, the summary dashboard and the interface picker's
 * OS-counter sparklines, in Chromium against the real engine behind the test host. The engine side of
 * listAlerts, getTimeline and interfaceCounters is being built separately; until it lands, the test
 * host answers those three calls itself (ui-host's `extra` hook), with alerts about the devices the
 * real engine found. Screenshots go to test-results/.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { type Page } from 'playwright-core';
import type { Alert, CallResponse, TimelineEntry } from '../../shared/ipc/contract';
import type { DeviceJson } from '../../shared/model/inventory';
import { createEngine, type Engine } from '../../src-main/engine/engine';
import { createEventHub } from '../../src-main/ipc/event-hub';
import { HOSTILE_NAMES } from './helpers/hostile';
import { startUiHost, type ExtraHandlers, type UiHost } from './helpers/ui-host';
import { openByPath, waitRows } from './helpers/console-page';
import { browserFixture, haveChromium, NO_CHROMIUM as SKIP, RESULTS } from './helpers/browser-fixture';
import { openWatched } from './helpers/watched-page';
import { corpusPath, skipUnlessCorpus } from '../helpers/corpus';

const PLANT = corpusPath('multi-lan-s7-plant__iti-ics__wrapup.pcapng');
const results = RESULTS;
const HOSTILE = HOSTILE_NAMES[0]!; // '<img src=x onerror=alert(1)>'

const ui = browserFixture('glasspane-ui-alerts-');

const open = (url: string) => openWatched(ui.browser(), url, { height: 900 });

async function withHost(
  fn: (ctx: { host: UiHost; engine: Engine }) => Promise<void>,
  hostOpts: (engine: Engine) => { extra?: ExtraHandlers; unknown?: string[] },
) {
  const hub = createEventHub(() => {});
  const engine = createEngine({ hub, collectMs: 50 });
  const host = await startUiHost(ui.rendererDir(), { token: 't', engine, hub, ...hostOpts(engine) });
  try {
    await fn({ host, engine });
  } finally {
    await host.close();
    await engine.close();
  }
}

const SEVERITIES = ['critical', 'high', 'medium', 'low', 'info'] as const;

/** Alerts about the engine's devices as they stand (none before a capture), newest first. */
function alertsFor(devices: readonly DeviceJson[]): Alert[] {
  const base = Date.parse('2026-11-28T09:00:00Z');
  return devices.slice(0, 12).map((d, i) => ({
    id: `alert-${i}`,
    at: new Date(base - i * 60_000).toISOString(),
    severity: SEVERITIES[i % SEVERITIES.length]!,
    kind: i % 2 ? 'new-device' : 'new-protocol',
    deviceId: d.id,
    message: i === 0 ? HOSTILE : `device ${i} did something new`,
    detail: {},
  }));
}

function timelineFor(id: string): TimelineEntry[] {
  return [
    {
      deviceId: id,
      at: '2026-11-28T08:00:00Z',
      field: 'vendor',
      old: null,
      new: 'Siemens AG',
      source: 'rule',
    },
    {
      deviceId: id,
      at: '2026-11-28T08:05:00Z',
      field: 'type',
      old: null,
      new: HOSTILE_NAMES[1]!,
      source: 'capture',
    },
    {
      deviceId: id,
      at: '2026-11-28T08:10:00Z',
      field: 'name',
      old: 'plc-1',
      new: 'boiler-plc',
      source: 'manual',
    },
  ];
}

/** Pixels of a chart's canvas in the theme's --accent colour (the bars), as the page resolves it now. */
async function accentPixels(page: Page, testId: string): Promise<number> {
  return page
    .getByTestId(testId)
    .locator('canvas')
    .evaluate((c: HTMLCanvasElement) => {
      const hex = getComputedStyle(document.documentElement).getPropertyValue('--accent').trim();
      const want = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
      const data = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
      let n = 0;
      for (let i = 0; i < data.length; i += 4) {
        if (data[i + 3] === 255 && want.every((v, k) => Math.abs(data[i + k]! - v) <= 2)) n++;
      }
      return n;
    });
}

/** Pixels of a canvas that something was drawn on (chart.js leaves the rest transparent). */
async function paintedPixels(page: Page, testId: string): Promise<number> {
  return page
    .getByTestId(testId)
    .locator('canvas')
    .evaluate((c: HTMLCanvasElement) => {
      const ctx = c.getContext('2d')!;
      const data = ctx.getImageData(0, 0, c.width, c.height).data;
      let n = 0;
      for (let i = 3; i < data.length; i += 4) if (data[i]! > 0) n++;
      return n;
    });
}

test('alerts view, device timeline and alerts, dashboard charts, and OS-counter sparklines', async (t) => {
  if (!haveChromium) return t.skip(SKIP);
  if (skipUnlessCorpus(t, PLANT)) return;
  let ticks = 0;
  let firstIface = '';
  await withHost(
    async ({ host, engine }) => {
      firstIface = (await engine.listSources({})).interfaces[0]?.name ?? '';
      const { page, problems, dialogs } = await open(`${host.url}?token=t`);
      await page.getByTestId('interfaces').waitFor({ timeout: 10_000 });

      // Sparklines: the OS counters rise by k*k*50 packets a reading, so the rates rise each second.
      if (firstIface) {
        const row = page.locator('[data-testid="interfaces"] tbody tr', {
          has: page.getByLabel(`Capture on ${firstIface}`, { exact: true }),
        });
        await page.waitForFunction(
          (name) => {
            const rows = Array.from(document.querySelectorAll('[data-testid="interfaces"] tbody tr'));
            const r = rows.find((x) => x.querySelector(`input[aria-label="Capture on ${name}"]`));
            return (
              (r?.querySelector('svg.sparkline polyline')?.getAttribute('points') ?? '').trim().split(/\s+/)
                .length >= 3
            );
          },
          firstIface,
          { timeout: 15_000 },
        );
        const rate = row.getByTestId('iface-rate');
        assert.equal(await rate.getAttribute('data-source'), 'os');
        assert.ok(Number(await rate.textContent()) > 0, 'the current rate is shown as a number');
        const ys = ((await row.locator('svg.sparkline polyline').getAttribute('points')) ?? '')
          .trim()
          .split(/\s+/)
          .map((p) => Number(p.split(',')[1]));
        for (let i = 1; i < ys.length; i++)
          assert.ok(ys[i]! < ys[i - 1]!, `rates do not rise: ${ys.join(' ')}`);
        await page.screenshot({ path: join(results, 'ui-start-sparklines.png') });
      }

      await openByPath(page, PLANT);
      const snap = await engine.getSnapshot({});
      const devices = snap.devices;
      assert.ok(devices.length >= 3, `only ${devices.length} devices`);
      await waitRows(page, devices.length);
      const listed = alertsFor(devices);

      // The new run refetched the alerts; one more arrives as an event. The badge counts all unseen.
      const raised: Alert = {
        id: 'alert-live',
        at: '2026-11-28T09:30:00Z',
        severity: 'critical',
        kind: 'ot-write',
        deviceId: devices[1]!.id,
        message: HOSTILE_NAMES[1]!,
        detail: { port: 502 },
      };
      await page.getByTestId('alerts-unseen').getByText(String(listed.length)).waitFor({ timeout: 10_000 });
      host.broadcast('alert', raised);
      await page
        .getByTestId('alerts-unseen')
        .getByText(String(listed.length + 1))
        .waitFor({ timeout: 5_000 });

      // The alerts view: every alert, newest first, the hostile messages as text.
      await page.getByRole('tab', { name: /Alerts/ }).click();
      await page.getByTestId('alerts').waitFor();
      assert.equal(await page.getByTestId('alerts-unseen').count(), 0, 'seen once shown');
      const rows = page.locator('[data-testid="alerts"] tbody tr');
      assert.equal(await rows.count(), listed.length + 1);
      assert.deepEqual(await rows.evaluateAll((rs) => rs.map((r) => (r as HTMLElement).dataset.id)), [
        'alert-live',
        ...listed.map((a) => a.id),
      ]);
      const messages = await page.locator('[data-testid="alerts"] .alert-message').allTextContents();
      assert.equal(messages[0], HOSTILE_NAMES[1]);
      assert.equal(messages[1], HOSTILE);
      assert.match((await rows.first().textContent()) ?? '', /port=502/, 'the detail is shown');
      assert.equal(
        await page.locator('[data-testid="alerts-view"] img, [data-testid="alerts-view"] script').count(),
        0,
      );
      await page.screenshot({ path: join(results, 'ui-alerts.png') });

      // Severity and text filters.
      await page.getByRole('button', { name: /^info/ }).click();
      const noInfo = listed.length + 1 - listed.filter((a) => a.severity === 'info').length;
      assert.equal(await rows.count(), noInfo);
      await page.getByRole('button', { name: /^info/ }).click();
      await page.getByLabel('Search alerts').fill('onerror');
      assert.equal(await rows.count(), 1);
      await page.getByLabel('Search alerts').fill('');

      // A device in an alert opens its details: its timeline and its alerts, text only.
      const target = devices[0]!;
      await rows.nth(1).locator(`button[data-device="${target.id}"]`).click();
      await page.getByTestId('details').waitFor();
      await page.getByTestId('timeline').waitFor({ timeout: 10_000 });
      const tl = page.locator('[data-testid="timeline"] tbody tr');
      assert.equal(await tl.count(), 3);
      assert.match((await tl.first().textContent()) ?? '', /boiler-plc/, 'newest first');
      assert.ok(((await page.getByTestId('timeline').textContent()) ?? '').includes(HOSTILE_NAMES[1]!));
      await page.getByTestId('device-alerts').waitFor({ timeout: 10_000 });
      const own = listed.filter((a) => a.deviceId === target.id);
      assert.equal(await page.locator('[data-testid="device-alerts"] tbody tr').count(), own.length);
      assert.ok(((await page.getByTestId('device-alerts').textContent()) ?? '').includes(HOSTILE));
      assert.equal(
        await page.locator('[data-testid="details"] img, [data-testid="details"] script').count(),
        0,
      );
      await page.getByTestId('timeline').scrollIntoViewIfNeeded();
      await page.screenshot({ path: join(results, 'ui-alerts-details.png') });
      await page.getByRole('button', { name: 'Close details' }).click();

      // The dashboard: keyboard reaches it from the tab list (arrow keys), charts hold the inventory.
      await page.getByRole('tab', { name: /Alerts/ }).focus();
      await page.keyboard.press('Home');
      await page.keyboard.press('ArrowRight');
      await page.keyboard.press('ArrowRight');
      await page.getByTestId('dashboard').waitFor();
      assert.equal(await page.getByRole('tab', { name: 'Dashboard' }).getAttribute('aria-selected'), 'true');
      for (const [col, field] of [
        ['category', (d: DeviceJson) => d.category],
        ['type', (d: DeviceJson) => d.type],
        ['vendor', (d: DeviceJson) => d.vendor],
        ['os', (d: DeviceJson) => d.os],
      ] as const) {
        const chart = page.getByTestId(`chart-${col}`);
        await chart.waitFor();
        const distinct = new Set(devices.map((d) => field(d) ?? '')).size;
        assert.equal(
          Number(await chart.getAttribute('data-points')),
          Math.min(distinct, 10) + (distinct > 10 ? 1 : 0),
          col,
        );
        assert.equal(
          Number(await chart.getAttribute('data-sum')),
          devices.length,
          `${col}: every device once`,
        );
        assert.ok((await paintedPixels(page, `chart-${col}`)) > 500, `${col}: nothing drawn`);
      }
      const timeChart = page.getByTestId('chart-new');
      assert.equal(Number(await timeChart.getAttribute('data-sum')), devices.length);
      assert.ok((await paintedPixels(page, 'chart-new')) > 200, 'new devices: nothing drawn');
      assert.ok((await accentPixels(page, 'chart-vendor')) > 500, 'bars not in the light accent');
      await page.screenshot({ path: join(results, 'ui-dashboard.png') });
      await page.getByRole('button', { name: /^Theme:/ }).click(); // system -> light
      await page.getByRole('button', { name: /^Theme:/ }).click(); // light -> dark
      await page.waitForTimeout(200);
      assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), 'dark');
      // The bars take the dark theme's accent colour (read from the CSS variables, not hard-coded).
      assert.ok((await accentPixels(page, 'chart-vendor')) > 500, 'bars not redrawn in the dark accent');
      await page.screenshot({ path: join(results, 'ui-dashboard-dark.png') });

      // Clicking the top bar of the category chart (found by its colour on the canvas) filters the
      // grid to that category: the most common one.
      const hit = await page
        .getByTestId('chart-category')
        .locator('canvas')
        .evaluate((c: HTMLCanvasElement) => {
          const hex = getComputedStyle(document.documentElement).getPropertyValue('--accent').trim();
          const want = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
          const data = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
          const scale = c.width / c.clientWidth;
          for (let i = 0; i < data.length; i += 4) {
            if (data[i + 3] === 255 && want.every((v, k) => Math.abs(data[i + k]! - v) <= 2)) {
              const px = (i / 4) % c.width;
              const py = Math.floor(i / 4 / c.width);
              return { x: px / scale + 4, y: py / scale + 4 };
            }
          }
          return null;
        });
      assert.ok(hit, 'no bar drawn in the category chart');
      const catBox = (await page.getByTestId('chart-category').locator('canvas').boundingBox())!;
      await page.mouse.click(catBox.x + hit.x, catBox.y + hit.y);
      await page.getByTestId('grid').waitFor();
      const catFilter = await page.locator('input[data-filter="category"]').inputValue();
      const byCat = new Map<string, number>();
      for (const d of devices) byCat.set(d.category ?? '', (byCat.get(d.category ?? '') ?? 0) + 1);
      const chosen = catFilter.replace(/^=/, '');
      assert.equal(
        byCat.get(chosen),
        Math.max(...byCat.values()),
        `"${chosen}" is not the most common category`,
      );
      await waitRows(page, byCat.get(chosen)!);
      await page.locator('input[data-filter="category"]').fill('');
      await waitRows(page, devices.length);
      await page.getByRole('tab', { name: 'Dashboard' }).click();

      // A value in the vendor table filters the grid to its devices.
      const vendorPanel = page.locator('[data-chart="vendor"]');
      await vendorPanel.getByText('As a table').click();
      const first = vendorPanel.locator('.dash-table button').first();
      const label = (await first.textContent())!;
      await first.click();
      const want =
        label === '(unknown)'
          ? devices.filter((d) => !d.vendor)
          : devices.filter((d) => d.vendor?.toLowerCase() === label.toLowerCase());
      assert.ok(want.length > 0);
      await waitRows(page, want.length);

      assert.ok(ticks >= 3, 'the counters were polled');
      assert.deepEqual(dialogs, []);
      assert.deepEqual(problems, []);
      await page.close();
    },
    (engine) => ({
      extra: {
        listAlerts: async (p) => {
          const all = alertsFor((await engine.getSnapshot({})).devices);
          const deviceId = (p as { deviceId?: string }).deviceId;
          const alerts = deviceId ? all.filter((a) => a.deviceId === deviceId) : all;
          return { alerts, total: alerts.length } satisfies CallResponse<'listAlerts'>;
        },
        getTimeline: (p) =>
          ({
            supported: true,
            entries: timelineFor((p as { id: string }).id),
          }) satisfies CallResponse<'getTimeline'>,
        interfaceCounters: () => {
          ticks++;
          return {
            supported: true,
            at: Date.now(),
            interfaces: firstIface ? [{ name: firstIface, packets: ticks * ticks * 50, bytes: null }] : [],
          } satisfies CallResponse<'interfaceCounters'>;
        },
      },
    }),
  );
});

test('an engine without alerts, timeline or counters: each place says so, nothing breaks', async (t) => {
  if (!haveChromium) return t.skip(SKIP);
  if (skipUnlessCorpus(t, PLANT)) return;
  await withHost(
    async ({ engine, host }) => {
      const { page, problems } = await open(`${host.url}?token=t`);
      await page.getByTestId('interfaces').waitFor({ timeout: 10_000 });
      await page.waitForTimeout(1500);
      assert.equal(await page.locator('[data-testid="iface-rate"][data-source="os"]').count(), 0);
      await openByPath(page, PLANT);
      const snap = await engine.getSnapshot({});
      await waitRows(page, snap.devices.length);
      await page.getByRole('tab', { name: /Alerts/ }).click();
      await page.getByTestId('alerts-unavailable').waitFor();
      await page.getByRole('tab', { name: /Inventory/ }).click();
      await page.locator('.grid-row').first().dblclick();
      await page.getByTestId('timeline-unavailable').waitFor({ timeout: 10_000 });
      await page.getByTestId('device-alerts-unavailable').waitFor();
      assert.deepEqual(problems, []);
      await page.close();
    },
    () => ({ unknown: ['listAlerts', 'getTimeline', 'interfaceCounters'] }),
  );
});

test('a host without a store: the timeline says it needs one', async (t) => {
  if (!haveChromium) return t.skip(SKIP);
  if (skipUnlessCorpus(t, PLANT)) return;
  await withHost(
    async ({ engine, host }) => {
      const { page, problems } = await open(`${host.url}?token=t`);
      await page.getByTestId('interfaces').waitFor({ timeout: 10_000 });
      await openByPath(page, PLANT);
      await waitRows(page, (await engine.getSnapshot({})).devices.length);
      await page.locator('.grid-row').first().dblclick();
      await page
        .getByTestId('timeline-needs-store')
        .getByText('glasspane serve --db FILE')
        .waitFor({ timeout: 10_000 });
      assert.deepEqual(problems, []);
      await page.close();
    },
    () => ({
      extra: {
        getTimeline: () => ({ supported: false, entries: [] }),
        listAlerts: () => ({ alerts: [], total: 0 }),
      },
    }),
  );
});

/**
 * The Forwarding settings in Chromium against the real engine and the repo's own HTTPS webhook
 * receiver on loopback: an inline secret is refused without being shown back; a destination added
 * in the panel gets the run's devices; with the receiver down the queue grows and the last error
 * shows, live; back up, it drains, in order, and the panel's numbers are `glasspane forward
 * status`'s. The destination is kept in the data folder for the next engine.
 */
import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Page } from 'playwright-core';
import type { ForwardEvent } from '../../shared/forward/events';
import { forwardStatus } from '../../src-main/cli/forward-status';
import { createEngine } from '../../src-main/engine/engine';
import { analyzeFile, createAnalyzer } from '../../src-main/engine/pipeline';
import { createEventHub } from '../../src-main/ipc/event-hub';
import { CORPUS_SKIP, PCAPS } from '../helpers/corpus';
import { makeTestCa } from '../helpers/test-ca';
import { scratch } from '../forward/delivery-setup';
import { HttpsReceiver } from '../forward/https-receiver';
import { startUiHost } from './helpers/ui-host';
import { browserFixture, haveChromium, NO_CHROMIUM, RESULTS } from './helpers/browser-fixture';

/** 2 EtherNet/IP devices, then 4 from DHCP. */
const FIRST = join(PCAPS, 'enip-listidentity__iti-ics__enip_test.pcap');
const SECOND = join(PCAPS, 'dhcp__tcpdump__dhcp-mud.pcap');

const skip = !haveChromium ? NO_CHROMIUM : CORPUS_SKIP;
const ui = browserFixture('glasspane-forwarding-ui-');

async function deviceIds(file: string): Promise<string[]> {
  const a = createAnalyzer();
  await analyzeFile(a, file);
  return a.snapshot().devices.map((d) => d.id);
}

/** The panel's numbers for its one destination. */
async function row(page: Page): Promise<Record<string, string>> {
  const r = page.getByTestId('forward-row');
  const out: Record<string, string> = {};
  for (const c of ['queued', 'sent', 'failed', 'dropped', 'lastError'])
    out[c] = (await r.locator(`td[data-col="${c}"]`).textContent()) ?? '';
  return out;
}

async function until(what: string, cond: () => Promise<boolean> | boolean, ms = 60_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) assert.fail(`not within ${ms / 1000} s: ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

test(
  'Forwarding settings: add a webhook in the UI, see events arrive, the queue grow while the receiver is down and drain when it is back',
  { skip },
  async () => {
    const pki = makeTestCa();
    const s = scratch();
    const rx = new HttpsReceiver(pki, () => ({ status: 200 }));
    await rx.start();
    const received = (): ForwardEvent[] =>
      rx.requests.flatMap((r) => (JSON.parse(r.body) as { events: ForwardEvent[] }).events);
    const hub = createEventHub(() => {});
    const engine = createEngine({ hub, collectMs: 50, forwardingDir: s.dir });
    const host = await startUiHost(ui.rendererDir(), { token: 't', engine, hub });
    const page = await ui.browser().newPage({ viewport: { width: 1400, height: 860 } });
    const problems: string[] = [];
    page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
    try {
      await page.goto(`${host.url}?token=t`);
      await page.getByTestId('interfaces').waitFor({ timeout: 10_000 });
      await page.getByRole('tab', { name: 'Forwarding' }).click();
      const uri = page.getByLabel('Destination URI');

      // A secret in the URI is refused, says what to do, and is not shown back.
      await uri.fill(`https://127.0.0.1:${rx.port}/hook?secret=${s.secret}&ca=${pki.ca}`);
      await page.getByRole('button', { name: 'Add' }).click();
      const error = page.getByTestId('forward-error');
      await error.waitFor();
      assert.equal(
        await error.textContent(),
        'a secret in the URI would be kept and shown: use secret-file=PATH or secret-env=NAME',
      );
      assert.equal(await page.getByTestId('forward-row').count(), 0);

      // The webhook with its secret in a file, every kind of event.
      const dest = `https://127.0.0.1:${rx.port}/hook?secret-file=${s.secretFile}&ca=${pki.ca}`;
      await uri.fill(dest);
      await page.getByRole('button', { name: 'Add' }).click();
      await page.getByTestId('forward-row').waitFor();
      assert.equal(await page.locator('.forward-uri').textContent(), dest);
      assert.equal(await error.count(), 0);

      // A run: one discovered event per device reaches the receiver, and the panel counts them sent.
      const first = await deviceIds(FIRST);
      await engine.openCapture({ paths: [FIRST] });
      await engine.idle;
      await until('the first run delivered', () => received().length >= first.length);
      assert.deepEqual(
        received()
          .map((e) => e.device!.id)
          .sort(),
        [...first].sort(),
      );
      await until('the panel shows them sent', async () => (await row(page)).sent === String(first.length));
      assert.equal((await row(page)).queued, '0');

      // The receiver goes away; the next run's events wait in the queue, and the panel says why.
      await rx.stop();
      const second = await deviceIds(SECOND);
      await engine.openCapture({ paths: [SECOND] });
      await engine.idle;
      await until(
        'the queue grows and the last error shows',
        async () => {
          const r = await row(page);
          return r.queued === String(second.length) && /refused/.test(r.lastError) && Number(r.failed) > 0;
        },
        30_000,
      );
      const down = await row(page);
      // The panel's numbers are forward status's.
      const [st] = forwardStatus(s.dir);
      assert.equal(String(st!.queued), down.queued);
      assert.equal(String(st!.sent), down.sent);
      assert.equal(String(st!.dropped), down.dropped);
      assert.ok(down.lastError.endsWith(st!.lastError!), `${down.lastError} / ${st!.lastError}`);
      assert.equal(received().length, first.length, 'nothing arrived while it was down');

      // Back on its port: the queue drains, in order, and the panel follows.
      await rx.start();
      await until(
        'the queue drains',
        async () => (await row(page)).queued === '0' && received().length >= first.length + second.length,
        90_000,
      );
      const after = received().slice(first.length);
      assert.deepEqual(after.map((e) => e.device!.id).sort(), [...second].sort());
      assert.equal((await row(page)).sent, String(first.length + second.length));
      await page.screenshot({ path: join(RESULTS, 'forwarding.png') });
      const [end] = forwardStatus(s.dir);
      assert.equal(String(end!.sent), (await row(page)).sent);

      // No secret anywhere on the page, nor in the settings kept on disk (0600).
      assert.ok(!(await page.content()).includes(s.secret));
      const kept = join(s.dir, 'forwarding.json');
      assert.ok(!readFileSync(kept, 'utf8').includes(s.secret));
      assert.equal(statSync(kept).mode & 0o777, 0o600);
      assert.deepEqual(problems, []);
    } finally {
      await page.close();
      await host.close();
      await engine.close();
      await rx.stop();
    }
    // The next engine on that data folder forwards to the same destination.
    const again = createEngine({ hub: createEventHub(() => {}), forwardingDir: s.dir });
    try {
      const st = await again.getForwarding({});
      assert.equal(st.destinations.length, 1);
      assert.match(st.destinations[0]!.uri, /secret-file=/);
      await again.removeForwardDestination({ id: st.destinations[0]!.id });
      assert.deepEqual((await again.getForwarding({})).destinations, []);
    } finally {
      await again.close();
    }
  },
);

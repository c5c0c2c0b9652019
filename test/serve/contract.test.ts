/**
 * The same contract checks over the in-process engine (createEngine + createDispatcher) and over
 * `glasspane serve`'s WebSocket, so the console behaves exactly as the engine does.
 */
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEngine } from '../../src-main/engine/engine';
import { createDispatcher } from '../../src-main/ipc/dispatch';
import { createEventHub } from '../../src-main/ipc/event-hub';
import { DEFAULT_CHROMIUM } from '../../src-main/report/pdf';
import { contractSuite, type ContractTransport } from './helpers/contract-suite';
import { startServe } from './helpers/serve-process';
import { WsClient } from './helpers/ws-client';

process.env.GLASSPANE_CACHE_DIR = mkdtempSync(join(tmpdir(), 'gp-demo-cache-'));

contractSuite(
  'in-process',
  async (): Promise<ContractTransport> => {
    const hub = createEventHub();
    const engine = createEngine({ hub, collectMs: 50, learnMs: 0 });
    const dispatch = createDispatcher(engine, () => {});
    const events: { name: string; payload: unknown }[] = [];
    // Through JSON, as every transport carries it.
    const stop = hub.subscribe((name, payload) =>
      events.push({ name, payload: JSON.parse(JSON.stringify(payload)) }),
    );
    return {
      events,
      call: async (name, payload) => JSON.parse(JSON.stringify(await dispatch(name, payload))),
      close: async () => {
        stop();
        await engine.close();
      },
    };
  },
  { store: false, learnNothing: true },
);

// The console with a device store (a fresh one each time): alerts and the timeline answered from it.
contractSuite(
  'websocket (glasspane serve --db)',
  async (): Promise<ContractTransport> => {
    const serve = await startServe([
      '--db',
      join(mkdtempSync(join(tmpdir(), 'gp-serve-db-')), 'store.db'),
      '--learn',
      '0',
    ]);
    const client = await WsClient.connect(serve.origin, serve.token);
    return {
      events: client.events,
      call: (name, payload) => client.call(name, payload),
      close: async () => {
        client.close();
        await serve.stop();
      },
    };
  },
  // serve prints PDFs with the local Chromium where there is one.
  { store: true, learnNothing: true, pdf: existsSync(DEFAULT_CHROMIUM) },
);

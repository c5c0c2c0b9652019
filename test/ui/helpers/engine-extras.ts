/**
 * The proposed calls, answered from the real engine's analyzer: getDevice with evidence rows. What a
 * host would do once the contract holds them (see the renderer's store/extra-calls.ts).
 */
import type { Engine } from '../../../src-main/engine/engine';
import type { ExtraHandlers } from './ui-host';

export function engineExtras(engine: Engine): ExtraHandlers {
  return {
    getDevice: (payload) => {
      const id = (payload as { id?: unknown })?.id;
      if (typeof id !== 'string') throw new Error('bad request');
      const inv = engine.analyzer.inventory;
      for (const d of inv.devices()) if (d.id === id) return inv.deviceJson(d, true);
      throw new Error(`no device ${id}`);
    },
  };
}

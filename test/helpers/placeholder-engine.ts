/**
 * An engine with nothing behind it, for tests of the hosts and the UI: sources are real (libpcap's
 * list, or the OS's), capture calls answer 'unavailable', the inventory is empty. Every answer has the
 * contract's shape. Tests override the calls they exercise.
 */
import { IDLE_STATUS } from '../../shared/ipc/contract';
import { CallFailure, type EngineHandlers } from '../../src-main/ipc/engine-api';
import { readInterfaceCounters } from '../../src-main/ipc/interface-counters';
import { listSources } from '../../src-main/ipc/sources';

export interface PlaceholderOptions {
  /** The host's own file picker (Electron's dialog); absent on hosts without one. */
  chooseFiles?: () => Promise<string[]>;
}

// The text the browser test of the renderer looks for in its error view.
const NOT_YET =
  'Glasspane cannot analyse captures from this window yet (the analysis pipeline is not connected yet). ' +
  'Meanwhile run: npx glasspane analyze FILE';

export function placeholderEngine(opts: PlaceholderOptions = {}): EngineHandlers {
  return {
    listSources: () => listSources(),
    chooseCaptureFiles: async () =>
      opts.chooseFiles
        ? { supported: true, paths: await opts.chooseFiles() }
        : { supported: false, paths: [] },
    openCapture: () => {
      throw new CallFailure('unavailable', NOT_YET);
    },
    startCapture: () => {
      throw new CallFailure('unavailable', NOT_YET);
    },
    stopCapture: () => IDLE_STATUS,
    getSnapshot: () => ({ sequence: 0, devices: [], edges: [], status: IDLE_STATUS }),
    getDevice: () => {
      throw new CallFailure('unavailable', NOT_YET);
    },
    editDevice: () => {
      throw new CallFailure('unavailable', NOT_YET);
    },
    // Nothing is analysed, so nothing is raised; there is no store, so no timeline.
    listAlerts: () => ({ alerts: [], total: 0 }),
    getTimeline: () => ({ supported: false, entries: [] }),
    exportReport: () => {
      throw new CallFailure('unavailable', NOT_YET);
    },
    // Passive and unprivileged: the picker's sparklines work before the pipeline does.
    interfaceCounters: () => readInterfaceCounters(),
    checkFilter: () => {
      throw new CallFailure('unavailable', NOT_YET);
    },
    getForwarding: () => {
      throw new CallFailure('unavailable', NOT_YET);
    },
    addForwardDestination: () => {
      throw new CallFailure('unavailable', NOT_YET);
    },
    removeForwardDestination: () => {
      throw new CallFailure('unavailable', NOT_YET);
    },
    listSensors: () => ({ supported: false, silenceMs: 0, maxClockSkewMs: 0, sensors: [] }),
    getSensorConnection: () => ({ supported: false, settings: null, message: null }),
    setSensorConnection: () => {
      throw new CallFailure('unavailable', NOT_YET);
    },
  };
}

import { CallFailure, type EngineHandlers } from '../ipc/engine-api';
import { readInterfaceCounters } from '../ipc/interface-counters';
import type { AlertService } from './alert-service';
import type { CaptureSources } from './capture-sources';
import type { DeviceEditor } from './device-edits';
import type { InventoryView } from './inventory-view';
import { exportReport, type ReportExportOptions } from './report-export';
import type { RunController } from './run-controller';
import { ForwardSettingError, type ForwardSettings } from '../forward/forward-settings';

export interface EngineServices {
  sources: CaptureSources;
  runs: RunController;
  view: InventoryView;
  editor: DeviceEditor;
  alerts: AlertService;
  report: ReportExportOptions;
  /** The app's forwarding destinations, where the host keeps a data folder. */
  forwarding: ForwardSettings | null;
}

/** The forwarding settings, or the answer that this host keeps none. */
function settings(s: EngineServices): ForwardSettings {
  if (s.forwarding === null)
    throw new CallFailure(
      'unavailable',
      'this host keeps no forwarding settings: the desktop app and a console served on loopback do',
    );
  return s.forwarding;
}

/** A mistake in the panel is the caller's to fix: its message, as a bad request. */
function asked<T>(fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof ForwardSettingError) throw new CallFailure('bad-request', e.message);
    throw e;
  }
}

/** Each call of the IPC contract, answered by the service it belongs to. */
export function engineHandlers(s: EngineServices): EngineHandlers {
  return {
    listSources: () => s.sources.list(),
    chooseCaptureFiles: () => s.sources.choose(),
    checkFilter: ({ filter }) => s.sources.checkFilter(filter),
    interfaceCounters: () => readInterfaceCounters(),
    // Refused paths cost nothing: the run (and the inventory) in progress stays.
    openCapture: async ({ paths }) => s.runs.openFiles(await s.sources.allowed(paths)),
    startCapture: ({ interfaces, filter }) => s.runs.startLive(interfaces, filter ?? null),
    stopCapture: () => s.runs.stop(),
    getSnapshot: () => s.view.snapshot(),
    getDevice: ({ id }) => s.view.device(id),
    editDevice: (req) => s.editor.edit(req),
    listAlerts: (req) => s.alerts.list(req),
    getTimeline: (req) => s.alerts.timeline(req),
    exportReport: (req) => exportReport(req, s, s.report),
    getForwarding: () => settings(s).state(),
    addForwardDestination: ({ uri, kinds, minSeverity }) =>
      asked(() => settings(s).add(uri, kinds, minSeverity)),
    removeForwardDestination: ({ id }) => asked(() => settings(s).remove(id)),
    // Sensors exist in a sensors' console only (createEngine with `merged` answers instead).
    listSensors: () => ({ supported: false, silenceMs: 0, maxClockSkewMs: 0, sensors: [] }),
    getSensorConnection: () => ({ supported: false, settings: null, message: null }),
    setSensorConnection: () => {
      throw new CallFailure(
        'unavailable',
        'this host keeps no sensor connection (it has no data folder, or follows --nats)',
      );
    },
  };
}

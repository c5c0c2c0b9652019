/**
 * The one contract for everything that crosses from engine to UI: calls (request -> response) and
 * events (engine -> UI), as data. Both hosts of the engine (Electron IPC, the WebSocket console) and
 * the renderer import it; the receiving side of every message validates it with these schemas.
 *
 * Requests are strict (unknown keys rejected: the engine trusts nothing the UI sends); responses and
 * events strip unknown keys, so an older renderer still works against a newer engine.
 */
import { z } from 'zod';
import type { CallName, EventName } from './channels';
import { deviceSchema, edgeSchema } from './inventory-schema';
import { IPC_LIMITS as L } from './limits';
import { forwardingCalls, forwardingStateSchema } from './forwarding-schema';

const text = z.string().max(L.text);
const id = z.string().min(1).max(L.id);
const count = z.number().int().nonnegative();
const empty = z.strictObject({});

// ---- sources -------------------------------------------------------------------------------------

export const interfaceAddressSchema = z.object({
  family: z.enum(['ipv4', 'ipv6']),
  address: z.string().max(64),
  netmask: z.string().max(64).nullable(),
});

export const captureInterfaceSchema = z.object({
  /** The name to capture on (libpcap's device name: 'eth0', '\\Device\\NPF_{...}'). */
  name: id,
  /** A human label where the platform has one (Windows friendly names). */
  description: text.nullable(),
  mac: z.string().max(64).nullable(),
  addresses: z.array(interfaceAddressSchema).max(L.addresses),
  /** up: administratively up; running: carrier present; null where unknown (pseudo-devices like 'any'). */
  flags: z.object({ up: z.boolean().nullable(), loopback: z.boolean(), running: z.boolean().nullable() }),
});

/** Whether live capture can start here, and if not, why not and what would fix it. */
export const liveAvailabilitySchema = z.discriminatedUnion('available', [
  z.object({ available: z.literal(true) }),
  z.object({ available: z.literal(false), reason: text, fix: text }),
]);

export const sourcesSchema = z.object({
  interfaces: z.array(captureInterfaceSchema).max(L.sources),
  live: liveAvailabilitySchema,
  /** Where the interface list came from: libpcap's device list, or the OS when libpcap is unusable. */
  listedBy: z.enum(['pcap', 'os']),
  /** A capture the host generated itself (glasspane demo), for a first run without privileges. */
  demo: z
    .object({ path: z.string().min(1).max(L.path) })
    .nullable()
    .optional(),
});

// ---- capture status --------------------------------------------------------------------------------

export const captureSourceSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('file'), paths: z.array(z.string().max(L.path)).max(L.files) }),
  z.object({
    kind: z.literal('live'),
    interfaces: z.array(id).max(L.interfaces),
    filter: z.string().max(L.filter).nullable(),
  }),
]);

export const captureCountersSchema = z.object({
  packets: count,
  bytes: count,
  /** Packets the kernel or libpcap dropped (live) ; 0 for files. */
  drops: count,
  /** Frames a dissector flagged as malformed. */
  malformed: count,
});

export const captureStatusSchema = z.object({
  state: z.enum(['idle', 'starting', 'running', 'finished', 'stopped', 'failed']),
  source: captureSourceSchema.nullable(),
  counters: captureCountersSchema,
  /** Why it failed or stopped, for people; null when there is nothing to say. */
  message: text.nullable(),
  /**
   * How far a file run has read: bytes of the current file (compressed bytes for gzip) and which
   * file of how many. Null for live runs and before the first read; absent from older hosts.
   */
  progress: z
    .object({ bytesRead: count, bytesTotal: count, file: count, files: count })
    .nullable()
    .optional(),
});

// ---- devices -------------------------------------------------------------------------------------

export const edgeKeySchema = z.object({ a: id, b: id });

/**
 * A batch of inventory changes. `sequence` rises by one per delta within a run; the first delta after
 * a snapshot carries snapshot.sequence + 1, so a gap tells the UI to fetch a fresh snapshot.
 * `reset` starts a new run (a new capture): drop everything held before applying this batch.
 */
export const deviceDeltaSchema = z.object({
  sequence: count,
  reset: z.boolean(),
  upserts: z.array(deviceSchema).max(L.batch),
  removals: z.array(id).max(L.batch),
  edgeUpserts: z.array(edgeSchema).max(L.batch),
  edgeRemovals: z.array(edgeKeySchema).max(L.batch),
});

export const snapshotSchema = z.object({
  sequence: count,
  devices: z.array(deviceSchema).max(L.snapshot),
  edges: z.array(edgeSchema).max(L.snapshot),
  status: captureStatusSchema,
});

// ---- alerts and the timeline ----------------------------------------------------------------------

const scalar = z.union([z.string().max(L.text), z.number(), z.boolean(), z.null()]);

/** An alert raised after the learning period (shared/model/alert.ts AlertJson, validated). */
export const alertSchema = z.object({
  id,
  /** ISO time: capture time for alerts from traffic. */
  at: z.string().max(64),
  severity: z.enum(['info', 'low', 'medium', 'high', 'critical']),
  kind: id,
  deviceId: id.nullable(),
  message: text,
  detail: z
    .record(z.string().max(L.id), scalar)
    .refine((d) => Object.keys(d).length <= L.detail, `at most ${L.detail} detail keys`),
});

/** One change of one device attribute: who decided it (capture, rule, manual) and when. */
export const timelineEntrySchema = z.object({
  deviceId: id,
  at: z.string().max(64),
  field: id,
  old: text.nullable(),
  new: text.nullable(),
  source: z.enum(['capture', 'rule', 'manual']),
});

/** Packet counters the operating system keeps per interface (not a capture: nothing is opened). */
export const interfaceCounterSchema = z.object({
  name: id,
  /** Received plus sent, since the interface came up; null where the OS does not say. */
  packets: count.nullable(),
  bytes: count.nullable(),
});

// ---- sensors (a sensors' console: serve --nats) ----------------------------------------------------

/** One sensor as the console sees it: its last health message, last contact and clock. */
export const sensorStatusSchema = z.object({
  site: id,
  sensor: id,
  version: text,
  mode: z.enum(['live', 'read']),
  /** connected; disconnected (silent past the threshold); stopped (its last message said it stopped). */
  state: z.enum(['connected', 'disconnected', 'stopped']),
  /** When the broker stored its last health message (ISO). */
  lastContact: z.string().max(64),
  /** Its clock minus the broker's when that message was stored, ms; `skewed` past the threshold. */
  clockOffsetMs: z.number(),
  skewed: z.boolean(),
  uptimeS: z.number().nonnegative(),
  packets: count,
  drops: count,
  /** Over the sensor's last health interval: frames per second, and the fraction dropped (0..1). */
  packetRate: z.number().nonnegative(),
  dropRate: z.number().min(0).max(1),
  devices: count,
  /** Messages waiting in its outbox, and those its outbox dropped when full. */
  queued: count,
  bufferDropped: count,
});

/**
 * Where a console finds its sensors (the desktop app's connection dialog): the NATS URL, the sites,
 * and the credentials as paths of files on the engine's machine (never the secrets themselves).
 */
export const sensorConnectionSchema = z.strictObject({
  nats: z.string().min(1).max(L.path),
  user: id.optional(),
  passwordFile: z.string().min(1).max(L.path).optional(),
  creds: z.string().min(1).max(L.path).optional(),
  nkeySeed: z.string().min(1).max(L.path).optional(),
  tlsCa: z.string().min(1).max(L.path).optional(),
  sites: z.array(id).max(L.sources),
});

const sensorConnectionAnswer = z.object({
  /** False where the host keeps no settings (a console started with --nats, or no data folder). */
  supported: z.boolean(),
  settings: sensorConnectionSchema.nullable(),
  /** What the engine says about the link (following, or why not), for people. */
  message: text.nullable(),
});

// ---- the contract --------------------------------------------------------------------------------

interface CallSpec {
  request: z.ZodType;
  response: z.ZodType;
}

export const calls = {
  /** Interfaces that could be captured on, and whether live capture works here at all. */
  listSources: { request: empty, response: sourcesSchema },
  /** Ask the host to show its own file picker. Hosts without one answer supported: false. */
  chooseCaptureFiles: {
    request: empty,
    response: z.object({ supported: z.boolean(), paths: z.array(z.string().max(L.path)).max(L.files) }),
  },
  /** Analyze capture files (pcap, pcapng) on the engine's machine. */
  openCapture: {
    request: z.strictObject({ paths: z.array(z.string().min(1).max(L.path)).min(1).max(L.files) }),
    response: captureStatusSchema,
  },
  /** Capture live on one or more interfaces, optionally with a BPF filter. */
  startCapture: {
    request: z.strictObject({
      interfaces: z.array(id).min(1).max(L.interfaces),
      filter: z.string().max(L.filter).optional(),
    }),
    response: captureStatusSchema,
  },
  stopCapture: { request: empty, response: captureStatusSchema },
  /** The whole inventory now, to start from or to recover after a sequence gap. */
  getSnapshot: { request: empty, response: snapshotSchema },
  /** One device with every observation behind it (deltas and snapshots carry none), for "why?". */
  getDevice: { request: z.strictObject({ id }), response: deviceSchema },
  /**
   * Manual edits: a value sets the field, null clears the edit, an absent key leaves it. Edits
   * outrank what the capture and the rules say, and the answer is the device as it now stands.
   */
  editDevice: {
    request: z.strictObject({
      id,
      name: text.nullable().optional(),
      type: text.nullable().optional(),
      vendor: text.nullable().optional(),
      notes: z
        .string()
        .max(4 * L.text)
        .nullable()
        .optional(),
    }),
    response: deviceSchema,
  },
  /** Alerts of this engine, newest first; for one device when `deviceId` is given. */
  listAlerts: {
    request: z.strictObject({
      deviceId: id.optional(),
      limit: z.number().int().min(1).max(L.alerts).optional(),
    }),
    response: z.object({ alerts: z.array(alertSchema).max(L.alerts), total: count }),
  },
  /**
   * A device's change timeline, oldest first. Hosts without a store answer supported: false (the
   * timeline is what the store recorded, across runs).
   */
  getTimeline: {
    request: z.strictObject({ id }),
    response: z.object({ supported: z.boolean(), entries: z.array(timelineEntrySchema).max(L.timeline) }),
  },
  /**
   * The OS's packet counters for every interface, for the picker's rate sparklines before a capture
   * starts. `at` is the host's clock in ms; rates are differences between two answers.
   */
  interfaceCounters: {
    request: empty,
    response: z.object({
      supported: z.boolean(),
      at: z.number().nonnegative(),
      interfaces: z.array(interfaceCounterSchema).max(L.sources),
    }),
  },
  /**
   * The inventory report of the devices given (the UI's filtered view; all when absent): CSV (cells
   * neutralised against formula injection), JSON, HTML, or PDF (summary charts, the topology, the
   * device table, alerts), or OCSF JSON lines (Device Inventory Info per device, Detection Finding per
   * alert). The engine's host renders it; `content` is base64. A host that cannot
   * render the format (PDF without a printer) answers supported: false with the reason in `message`.
   */
  exportReport: {
    request: z.strictObject({
      format: z.enum(['csv', 'json', 'html', 'pdf', 'ocsf']),
      deviceIds: z.array(id).max(L.snapshot).optional(),
      title: text.optional(),
    }),
    response: z.object({
      supported: z.boolean(),
      message: text.nullable(),
      fileName: z.string().max(L.path),
      mime: z.string().max(L.id),
      content: z.string().max(L.report),
      devices: count,
    }),
  },
  /**
   * A capture filter compiled by the engine's libpcap without starting anything (pcap_compile for
   * Ethernet), so the UI can refuse it before a capture starts. Hosts without libpcap's compiler at
   * hand answer 'unavailable'.
   */
  checkFilter: {
    request: z.strictObject({
      filter: z.string().max(L.filter),
      interfaces: z.array(id).max(L.interfaces).optional(),
    }),
    response: z.object({ ok: z.boolean(), message: text.nullable() }),
  },
  ...forwardingCalls,
  /**
   * The sensors a sensors' console follows (serve --nats), with the thresholds it judges them by.
   * Other hosts answer supported: false.
   */
  listSensors: {
    request: empty,
    response: z.object({
      supported: z.boolean(),
      silenceMs: count,
      maxClockSkewMs: count,
      sensors: z.array(sensorStatusSchema).max(L.sources),
    }),
  },
  /** The console's sensor connection as the engine keeps it in its data folder. */
  getSensorConnection: { request: empty, response: sensorConnectionAnswer },
  /**
   * Point the engine at sensors (checked by connecting: refused credentials, unreadable sites and
   * missing files answer bad-request with the reason), saved in its data folder; null forgets them.
   */
  setSensorConnection: {
    request: z.strictObject({ settings: sensorConnectionSchema.nullable() }),
    response: sensorConnectionAnswer,
  },
} satisfies Record<CallName, CallSpec>;

export const events = {
  captureStatus: captureStatusSchema,
  deviceDelta: deviceDeltaSchema,
  /** Each alert as it is raised (listAlerts has the ones from before). */
  alert: alertSchema,
  /**
   * A command from the host's own menu that the UI carries out, because only the UI knows what it
   * shows: 'export' exports the rows the grid shows, in the format chosen there.
   */
  uiCommand: z.object({ command: z.enum(['export']) }),
  /** Each forwarding destination's queue, when it changes (at most once a second). */
  forwardState: forwardingStateSchema,
} satisfies Record<EventName, z.ZodType>;

// The name lists in channels.ts and the maps above must hold exactly the same keys.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const _callsMatch: Same<keyof typeof calls, CallName> = true;
const _eventsMatch: Same<keyof typeof events, EventName> = true;
void [_callsMatch, _eventsMatch];

export type CallRequest<K extends CallName> = z.infer<(typeof calls)[K]['request']>;
export type CallResponse<K extends CallName> = z.infer<(typeof calls)[K]['response']>;
export type EventPayload<K extends EventName> = z.infer<(typeof events)[K]>;

export type CaptureInterface = z.infer<typeof captureInterfaceSchema>;
export type InterfaceAddress = z.infer<typeof interfaceAddressSchema>;
export type LiveAvailability = z.infer<typeof liveAvailabilitySchema>;
export type Sources = z.infer<typeof sourcesSchema>;
export type CaptureStatus = z.infer<typeof captureStatusSchema>;
export type CaptureSource = z.infer<typeof captureSourceSchema>;
export type DeviceDelta = z.infer<typeof deviceDeltaSchema>;
export type Snapshot = z.infer<typeof snapshotSchema>;
export type Alert = z.infer<typeof alertSchema>;
export type TimelineEntry = z.infer<typeof timelineEntrySchema>;
export type InterfaceCounter = z.infer<typeof interfaceCounterSchema>;
export type SensorStatus = z.infer<typeof sensorStatusSchema>;
export type SensorConnection = z.infer<typeof sensorConnectionSchema>;

/** Why a call failed: one list, for the type and for the check of what arrives. */
const ERROR_CODES = [
  'bad-request',
  'unknown-call',
  'forbidden',
  'unavailable',
  'failed',
  'timeout',
  'disconnected',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export const callErrorSchema = z.object({
  code: z.enum(ERROR_CODES),
  message: text,
});
export type CallError = z.infer<typeof callErrorSchema>;

/** Every call answers with this envelope, on every transport: errors are data, not exceptions. */
export type CallResult<T> = { ok: true; value: T } | { ok: false; error: CallError };

export const IDLE_STATUS: CaptureStatus = {
  state: 'idle',
  source: null,
  counters: { packets: 0, bytes: 0, drops: 0, malformed: 0 },
  message: null,
};

export type Parsed<T> = { ok: true; value: T } | { ok: false; message: string };

/** A short, bounded description of why a payload failed its schema (first few issues only). */
export function describeIssues(error: z.ZodError): string {
  const parts = error.issues.slice(0, 3).map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
  const more = error.issues.length > 3 ? ` (+${error.issues.length - 3} more)` : '';
  return (parts.join('; ') + more).slice(0, L.text);
}

function parseWith(schema: z.ZodType, payload: unknown): Parsed<unknown> {
  const r = schema.safeParse(payload);
  return r.success ? { ok: true, value: r.data } : { ok: false, message: describeIssues(r.error) };
}

// Widened views of the maps for lookups by a generic key; the typed results are restored below.
const callTable: Record<CallName, CallSpec> = calls;
const eventTable: Record<EventName, z.ZodType> = events;

export function parseRequest<K extends CallName>(name: K, payload: unknown): Parsed<CallRequest<K>> {
  return parseWith(callTable[name].request, payload) as Parsed<CallRequest<K>>;
}

export function parseResponse<K extends CallName>(name: K, payload: unknown): Parsed<CallResponse<K>> {
  return parseWith(callTable[name].response, payload) as Parsed<CallResponse<K>>;
}

export function parseEvent<K extends EventName>(name: K, payload: unknown): Parsed<EventPayload<K>> {
  return parseWith(eventTable[name], payload) as Parsed<EventPayload<K>>;
}

/** Validates a call envelope as it arrives at the UI, and its value against the call's response schema. */
export function parseCallResult<K extends CallName>(name: K, raw: unknown): CallResult<CallResponse<K>> {
  if (typeof raw !== 'object' || raw === null || !('ok' in raw)) {
    return { ok: false, error: { code: 'failed', message: `malformed reply to ${name}` } };
  }
  if (raw.ok === true && 'value' in raw) {
    const v = parseResponse(name, raw.value);
    return v.ok ? v : { ok: false, error: { code: 'failed', message: `bad reply to ${name}: ${v.message}` } };
  }
  const e = callErrorSchema.safeParse('error' in raw ? raw.error : undefined);
  return e.success
    ? { ok: false, error: e.data }
    : { ok: false, error: { code: 'failed', message: `malformed error reply to ${name}` } };
}

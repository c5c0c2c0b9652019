/**
 * Upper bounds for everything that crosses the IPC boundary. The receiving side validates against
 * them, so a confused or hostile peer cannot make the other side allocate without bound.
 */
export const IPC_LIMITS = {
  /** Any free-text string (names, messages, vendor strings); dissectors already clip to 512. */
  text: 1024,
  /** Identifiers: device ids, interface names, protocol names. */
  id: 256,
  /** A filesystem path. */
  path: 4096,
  /** A BPF filter expression. */
  filter: 4096,
  /** Files opened in one call. */
  files: 256,
  /** Interfaces captured at once. */
  interfaces: 64,
  /** Interfaces listed by listSources. */
  sources: 1024,
  /** Addresses per interface. */
  addresses: 256,
  /** Short lists inside a device (ips, roles, protocols, hostnames, vlans, via). */
  list: 1024,
  /** Evidence rows per device. */
  evidence: 4096,
  /** Devices or edges in one delta batch, removals included. */
  batch: 20_000,
  /** Alerts in one listAlerts answer. */
  alerts: 10_000,
  /** Timeline entries in one getTimeline answer. */
  timeline: 10_000,
  /** An exported report, base64 (a PDF of a large inventory runs to megabytes). */
  report: 256 * 1024 * 1024,
  /** Key/value pairs in an alert's detail. */
  detail: 64,
  /** Devices or edges in one snapshot. */
  snapshot: 1_000_000,
  /** SIEM destinations the app forwards to. */
  destinations: 64,
} as const;

/**
 * What one client of the console's WebSocket (src-main/serve/ws-host.ts) may send. Frames from the
 * host (snapshots, reports) may be far larger; these bound what a peer can make the host hold.
 */
export const WS_LIMITS = {
  /** Bytes on the wire before the hello is accepted: one small frame (header included). */
  preHelloBytes: 4 * 1024,
  /** Largest frame from a client that said hello: openCapture with every path at its limit, escaped. */
  clientFrameBytes: 8 * 1024 * 1024,
  /** Clients that said hello, at once. */
  clients: 16,
  /** Connections still waiting for their hello, at once. */
  unauthenticated: 32,
  /** Token bucket per client: messages per second on average, and the burst it may spend at once. */
  messagesPerSecond: 100,
  messageBurst: 200,
} as const;

/**
 * Everything known about one device, each value with the evidence behind it ("why"), its peers,
 * protocols, services and roles, its timeline and its alerts. Evidence comes from getDevice; hosts
 * without it still show every attribute, and say that the evidence is not available.
 */
import { useEffect, useMemo, useRef, useState, type FormEvent } from 'react';
import type { DeviceJson, EvidenceJson, IdentityJson } from '../../shared/model/inventory';
import { useGlasspane, useLink, useStoreApi } from '../context';
import { deviceKind, KIND_COLOR } from '../util/device-kind';
import { displayName, fmtBytes, fmtCount, fmtTime, purdueLevel, subnetOf } from '../util/format';
import { DeviceAlerts, DeviceTimeline } from './DeviceHistory';
import { evidenceFor, type Attr } from './evidence-match';

type EvidenceState =
  | { kind: 'loading' }
  | { kind: 'loaded'; rows: EvidenceJson[]; identity: IdentityJson }
  | { kind: 'unsupported' }
  | { kind: 'failed'; message: string };

const MAX_ROWS = 500;

function EvidenceTable({ rows, testId }: { rows: readonly EvidenceJson[]; testId?: string }) {
  return (
    <table className="evidence" data-testid={testId}>
      <thead>
        <tr>
          <th scope="col">Kind</th>
          <th scope="col">Protocol</th>
          <th scope="col">Field</th>
          <th scope="col">Value</th>
          <th scope="col">First frame</th>
          <th scope="col">Count</th>
        </tr>
      </thead>
      <tbody>
        {rows.slice(0, MAX_ROWS).map((e, i) => (
          <tr key={i}>
            <td>{e.kind}</td>
            <td>{e.protocol}</td>
            <td className="mono">{e.field}</td>
            <td className="value">{e.value}</td>
            <td className="num">{e.firstFrame}</td>
            <td className="num">{e.count}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/**
 * What the device says it is, by source (getDevice carries it; deltas do not). Text nodes only:
 * every value came from the wire.
 */
function IdentitySection({ identity }: { identity: IdentityJson }) {
  const groups = Object.entries(identity).filter(([, facts]) => facts.length > 0);
  if (groups.length === 0) return <p className="muted">No identity facts heard.</p>;
  return (
    <table className="evidence" data-testid="identity">
      <thead>
        <tr>
          <th scope="col">Source</th>
          <th scope="col">What</th>
          <th scope="col">Value</th>
          <th scope="col">Last seen</th>
        </tr>
      </thead>
      <tbody>
        {groups.flatMap(([group, facts]) =>
          facts.map((f, i) => (
            <tr key={`${group}/${i}`} title={`${f.protocol}, first seen ${fmtTime(f.firstSeen)}`}>
              <td>{i === 0 ? group : ''}</td>
              <td>{f.label}</td>
              <td className="value">{f.value}</td>
              <td className="small">{fmtTime(f.lastSeen)}</td>
            </tr>
          )),
        )}
      </tbody>
    </table>
  );
}

function AttrRow({
  label,
  attr,
  device,
  evidence,
}: {
  label: string;
  attr: Attr;
  device: DeviceJson;
  evidence: EvidenceState;
}) {
  const [open, setOpen] = useState(false);
  const value = device[attr];
  const rows = evidence.kind === 'loaded' ? evidenceFor(attr, device, evidence.rows) : [];
  const fromOui = attr === 'vendor' && value !== null && value === device.ouiVendor;
  const why = rows.length > 0 || fromOui;
  return (
    <>
      <tr data-attr={attr}>
        <th scope="row">{label}</th>
        <td className={value === null ? 'muted' : ''}>{value ?? 'unknown'}</td>
        <td>
          {why && (
            <button type="button" className="link" aria-expanded={open} onClick={() => setOpen(!open)}>
              why?
            </button>
          )}
        </td>
      </tr>
      {open && (
        <tr className="why">
          <td colSpan={3}>
            {fromOui && rows.length === 0 && (
              <p className="muted small">
                From the IEEE OUI registry: the MAC address prefix {device.mac?.slice(0, 8)}.
              </p>
            )}
            {rows.length > 0 && <EvidenceTable rows={rows} />}
          </td>
        </tr>
      )}
    </>
  );
}

function Peers({ id }: { id: string }) {
  const edges = useGlasspane((s) => s.edges);
  const devices = useGlasspane((s) => s.devices);
  const store = useStoreApi();
  const peers = useMemo(() => {
    const out: { id: string; name: string; protocols: string[]; bytes: number; packets: number }[] = [];
    for (const e of edges.values()) {
      if (e.a !== id && e.b !== id) continue;
      const other = e.a === id ? e.b : e.a;
      const d = devices.get(other);
      out.push({
        id: other,
        name: d ? displayName(d) : other,
        protocols: e.protocols,
        bytes: e.bytes,
        packets: e.packets,
      });
    }
    return out.sort((a, b) => b.bytes - a.bytes).slice(0, 200);
  }, [edges, devices, id]);
  if (peers.length === 0) return <p className="muted">No peers seen.</p>;
  return (
    <table className="peers" data-testid="peers">
      <thead>
        <tr>
          <th scope="col">Peer</th>
          <th scope="col">Protocols</th>
          <th scope="col">Traffic</th>
        </tr>
      </thead>
      <tbody>
        {peers.map((p) => (
          <tr key={p.id}>
            <td>
              <button
                type="button"
                className="link"
                onClick={() => store.getState().openDetails(p.id, 'details')}
              >
                {p.name}
              </button>
            </td>
            <td>{p.protocols.join(', ')}</td>
            <td className="num">{fmtBytes(p.bytes)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function EditForm({ device, onDone }: { device: DeviceJson; onDone(message: string | null): void }) {
  const link = useLink();
  const [name, setName] = useState(device.hostname ?? '');
  const [type, setType] = useState(device.type ?? '');
  const [vendor, setVendor] = useState(device.vendor ?? '');
  const [notes, setNotes] = useState(device.notes ?? '');
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    // Only what the person changed is sent: an untouched field stays what the capture says.
    const changed = (now: string, was: string | null | undefined) =>
      now.trim() === (was ?? '').trim() ? undefined : now.trim() || null;
    const r = await link.optional('editDevice', {
      id: device.id,
      name: changed(name, device.hostname),
      type: changed(type, device.type),
      vendor: changed(vendor, device.vendor),
      notes: changed(notes, device.notes),
    });
    onDone(r.ok ? null : r.unsupported ? 'This engine does not accept edits yet.' : r.message);
  };
  return (
    <form className="edit-form" onSubmit={(e) => void submit(e)}>
      <label>
        Name <input value={name} maxLength={256} onChange={(e) => setName(e.target.value)} />
      </label>
      <label>
        Type <input value={type} maxLength={128} onChange={(e) => setType(e.target.value)} />
      </label>
      <label>
        Vendor <input value={vendor} maxLength={256} onChange={(e) => setVendor(e.target.value)} />
      </label>
      <label>
        Notes <textarea value={notes} maxLength={4096} onChange={(e) => setNotes(e.target.value)} />
      </label>
      <div>
        <button type="submit" className="primary">
          Save
        </button>
        <button type="button" onClick={() => onDone(null)}>
          Cancel
        </button>
      </div>
    </form>
  );
}

export function DeviceDetails() {
  const id = useGlasspane((s) => s.selected);
  const device = useGlasspane((s) => (s.selected ? s.devices.get(s.selected) : undefined));
  const features = useGlasspane((s) => s.features);
  const store = useStoreApi();
  const link = useLink();
  const [evidence, setEvidence] = useState<EvidenceState>({ kind: 'loading' });
  const [editing, setEditing] = useState(false);
  const [editNote, setEditNote] = useState<string | null>(null);
  const packets = device?.packets ?? 0;

  // The device whose evidence is shown; a new id fetches at once, counter changes at most every 2 s.
  const fetchedFor = useRef<string | null>(null);
  useEffect(() => {
    if (!id) return;
    const fresh = fetchedFor.current !== id;
    if (fresh) {
      fetchedFor.current = id;
      setEvidence({ kind: 'loading' });
      setEditing(false);
      setEditNote(null);
    }
    let live = true;
    const t = setTimeout(
      async () => {
        const r = await link.optional('getDevice', { id });
        if (!live) return;
        if (r.ok)
          setEvidence({ kind: 'loaded', rows: r.value.evidence ?? [], identity: r.value.identity ?? {} });
        else if (r.unsupported) setEvidence({ kind: 'unsupported' });
        else setEvidence({ kind: 'failed', message: r.message });
      },
      fresh ? 0 : 2000,
    );
    return () => {
      live = false;
      clearTimeout(t);
    };
  }, [id, packets, link]);

  if (!id) return null;
  if (!device) {
    return (
      <aside className="details" aria-label="Device details" data-testid="details">
        <p className="muted">This device is no longer in the inventory.</p>
        <button type="button" onClick={() => store.getState().closeDetails()}>
          Close
        </button>
      </aside>
    );
  }
  const kind = deviceKind(device);
  const level = purdueLevel(device);
  return (
    <aside className="details" aria-label="Device details" data-testid="details">
      <header className="details-head">
        <span className="kind-dot" style={{ background: KIND_COLOR[kind] }} aria-hidden />
        <div className="details-title">
          <h2 data-testid="details-name">{displayName(device)}</h2>
          <span className="muted mono small">{device.id}</span>
        </div>
        <button type="button" aria-label="Close details" onClick={() => store.getState().closeDetails()}>
          ✕
        </button>
      </header>
      <div className="details-body">
        <table className="attrs" data-testid="attributes">
          <tbody>
            <tr>
              <th scope="row">Addresses</th>
              <td className="mono">{device.ips.join(', ') || '—'}</td>
              <td />
            </tr>
            <tr>
              <th scope="row">MAC</th>
              <td className="mono">
                {device.mac ?? '—'}
                {device.localMac && <span className="badge">locally administered</span>}
              </td>
              <td />
            </tr>
            <AttrRow label="Host name" attr="hostname" device={device} evidence={evidence} />
            <AttrRow label="Vendor" attr="vendor" device={device} evidence={evidence} />
            <tr>
              <th scope="row">NIC vendor (OUI)</th>
              <td>{device.ouiVendor ?? '—'}</td>
              <td />
            </tr>
            <AttrRow label="Category" attr="category" device={device} evidence={evidence} />
            <AttrRow label="Type" attr="type" device={device} evidence={evidence} />
            <AttrRow label="Model" attr="model" device={device} evidence={evidence} />
            <AttrRow label="OS" attr="os" device={device} evidence={evidence} />
            <AttrRow label="Firmware" attr="firmware" device={device} evidence={evidence} />
            <AttrRow label="Serial" attr="serial" device={device} evidence={evidence} />
            <tr>
              <th scope="row">Subnet / VLAN</th>
              <td>
                {subnetOf(device)}
                {device.vlans.length > 0 && ` · VLAN ${device.vlans.join(', ')}`}
              </td>
              <td />
            </tr>
            <tr>
              <th scope="row">Purdue level</th>
              <td className={level === null ? 'muted' : ''}>
                {level === null ? 'not assigned' : `Level ${level}`}
              </td>
              <td />
            </tr>
            <tr>
              <th scope="row">Seen</th>
              <td>
                {fmtTime(device.firstSeen)} → {fmtTime(device.lastSeen)}
              </td>
              <td />
            </tr>
            <tr>
              <th scope="row">Traffic</th>
              <td>
                {fmtCount(device.packetsSent)} pkts / {fmtBytes(device.bytesSent)} sent ·{' '}
                {fmtCount(device.packetsReceived)} pkts / {fmtBytes(device.bytesReceived)} received
              </td>
              <td />
            </tr>
            {device.routed && (
              <tr>
                <th scope="row">Behind router</th>
                <td className="mono">{device.via.join(', ')}</td>
                <td />
              </tr>
            )}
          </tbody>
        </table>

        <h3>Protocols</h3>
        <p className="chips" data-testid="protocols">
          {device.protocols.length ? (
            device.protocols.map((p) => (
              <span key={p} className="chip">
                {p}
              </span>
            ))
          ) : (
            <span className="muted">none</span>
          )}
        </p>
        <h3>Services</h3>
        <p className="chips">
          {device.services.length ? (
            device.services.map((s) => (
              <span key={`${s.transport}/${s.port}`} className="chip mono">
                {s.transport}/{s.port}
              </span>
            ))
          ) : (
            <span className="muted">none seen serving</span>
          )}
        </p>
        <h3>Roles</h3>
        <p className="chips">
          {device.roles.length ? (
            device.roles.map((r) => (
              <span key={r} className="chip">
                {r}
              </span>
            ))
          ) : (
            <span className="muted">none</span>
          )}
        </p>
        {device.hostnames.length > 0 && (
          <>
            <h3>Names</h3>
            <ul className="names">
              {device.hostnames.map((h, i) => (
                <li key={i}>
                  {h.name} <span className="muted small">({h.source})</span>
                </li>
              ))}
            </ul>
          </>
        )}
        <h3>Identity</h3>
        {evidence.kind === 'loaded' ? (
          <IdentitySection identity={evidence.identity} />
        ) : device.identity !== undefined ? (
          <IdentitySection identity={device.identity} />
        ) : (
          <p className="muted">
            {evidence.kind === 'loading' ? 'Loading identity…' : 'Not available from this engine.'}
          </p>
        )}
        <h3>Peers</h3>
        <Peers id={device.id} />

        <h3>Evidence</h3>
        {evidence.kind === 'loading' && <p className="muted">Loading evidence…</p>}
        {evidence.kind === 'unsupported' && (
          <p className="muted" data-testid="evidence-unavailable">
            This engine does not send evidence rows yet.
          </p>
        )}
        {evidence.kind === 'failed' && <p className="error">{evidence.message}</p>}
        {evidence.kind === 'loaded' &&
          (evidence.rows.length ? (
            <EvidenceTable rows={evidence.rows} testId="evidence" />
          ) : (
            <p className="muted">No evidence rows.</p>
          ))}

        <DeviceTimeline device={device} />
        <DeviceAlerts id={device.id} />
        {features.getDevice === true && features.editDevice !== false && (
          <>
            <h3>Manual edit</h3>
            {editing ? (
              <EditForm
                device={device}
                onDone={(m) => {
                  setEditing(false);
                  setEditNote(m);
                }}
              />
            ) : (
              <button type="button" onClick={() => setEditing(true)}>
                Edit name, type, vendor, notes…
              </button>
            )}
          </>
        )}
        {editNote && <p className="muted small">{editNote}</p>}
      </div>
    </aside>
  );
}

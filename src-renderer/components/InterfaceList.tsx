import type { CaptureInterface } from '../../shared/ipc/contract';
import { Sparkline } from '../capture/Sparkline';

function Flags({ flags }: { flags: CaptureInterface['flags'] }) {
  return (
    <>
      {flags.up === null ? (
        <span className="badge badge-down">state unknown</span>
      ) : (
        <span className={flags.up ? 'badge badge-up' : 'badge badge-down'}>{flags.up ? 'up' : 'down'}</span>
      )}
      {flags.loopback && <span className="badge">loopback</span>}
    </>
  );
}

/**
 * The interfaces the engine could capture on, with a checkbox to pick them, and each one's packet
 * rate as a sparkline and a number. Where the host reads the OS's counters per interface
 * (interfaceCounters), every interface shows its own traffic, captured or not, as Wireshark's start
 * screen does. Where it cannot (supported: false, or an engine without the call), only the interfaces
 * being captured show a rate, from the run's counters (per run, not per interface: a run on several
 * interfaces shows the same total on each). Every string here came from the host: text only.
 */
export function InterfaceList({
  interfaces,
  chosen,
  onToggle,
  capturing,
  rate,
  osRates,
  disabled,
}: {
  interfaces: CaptureInterface[];
  chosen?: ReadonlySet<string>;
  onToggle?(name: string): void;
  capturing?: ReadonlySet<string>;
  rate?: readonly number[];
  /** Packets per second per interface from the OS's counters, oldest first; absent when unknown. */
  osRates?: ReadonlyMap<string, readonly number[]>;
  disabled?: boolean;
}) {
  if (interfaces.length === 0) {
    return <p className="muted">The engine found no network interfaces.</p>;
  }
  return (
    <table className="interfaces" data-testid="interfaces">
      <thead>
        <tr>
          <th scope="col">Interface</th>
          <th scope="col">Addresses</th>
          <th scope="col">State</th>
          <th scope="col">Packets/s</th>
        </tr>
      </thead>
      <tbody>
        {interfaces.map((i) => {
          const os = osRates?.get(i.name);
          const on = os !== undefined || (capturing?.has(i.name) ?? false);
          const values = os ?? rate ?? [];
          const last = on && values.length ? values[values.length - 1]! : null;
          return (
            <tr key={i.name} className={chosen?.has(i.name) ? 'chosen' : ''}>
              <td>
                <label className="iface-pick">
                  {onToggle && (
                    <input
                      type="checkbox"
                      aria-label={`Capture on ${i.name}`}
                      checked={chosen?.has(i.name) ?? false}
                      disabled={disabled}
                      onChange={() => onToggle(i.name)}
                    />
                  )}
                  <span>
                    <div className="mono">{i.name}</div>
                    {i.description && <div className="muted">{i.description}</div>}
                  </span>
                </label>
              </td>
              <td className="mono">
                {i.addresses.length === 0 && i.mac === null && <span className="muted">none</span>}
                {i.mac && <div>{i.mac}</div>}
                {i.addresses.map((a) => (
                  <div key={a.address}>{a.address}</div>
                ))}
              </td>
              <td>
                <Flags flags={i.flags} />
              </td>
              <td className="rate">
                {on ? (
                  <>
                    <Sparkline values={values} />
                    <span
                      className="small mono"
                      data-testid="iface-rate"
                      data-source={os !== undefined ? 'os' : 'capture'}
                    >
                      {last === null ? '…' : Math.round(last)}
                    </span>
                  </>
                ) : (
                  <span className="muted small">—</span>
                )}
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

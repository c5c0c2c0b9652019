import type { CaptureInterface } from '../../shared/ipc/contract';

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

/** The interfaces the engine could capture on. Every string here came from the host: text only. */
export function InterfaceList({ interfaces }: { interfaces: CaptureInterface[] }) {
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
        </tr>
      </thead>
      <tbody>
        {interfaces.map((i) => (
          <tr key={i.name}>
            <td>
              <div className="mono">{i.name}</div>
              {i.description && <div className="muted">{i.description}</div>}
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
          </tr>
        ))}
      </tbody>
    </table>
  );
}

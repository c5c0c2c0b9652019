/**
 * The capture filter: checked as typed (syntax, client side), and by the engine's libpcap when the
 * host can (checkFilter).
 */
import { useEffect, useMemo, useState } from 'react';
import { useLink } from '../context';
import { checkBpf } from '../util/bpf-check';

export interface FilterVerdict {
  blocking: boolean;
}

export function FilterField({
  value,
  onChange,
  interfaces,
  onVerdict,
}: {
  value: string;
  onChange(v: string): void;
  interfaces: string[];
  onVerdict(v: FilterVerdict): void;
}) {
  const link = useLink();
  const local = useMemo(() => checkBpf(value), [value]);
  const [server, setServer] = useState<{ filter: string; ok: boolean; message: string | null } | null>(null);
  const ifaces = interfaces.join('\u0000');

  useEffect(() => {
    if (!value.trim() || local.errors.length > 0) return;
    let live = true;
    const t = setTimeout(async () => {
      const r = await link.optional('checkFilter', {
        filter: value.trim(),
        interfaces: ifaces ? ifaces.split('\u0000') : [],
      });
      if (live && r.ok) setServer({ filter: value, ok: r.value.ok, message: r.value.message });
    }, 400);
    return () => {
      live = false;
      clearTimeout(t);
    };
  }, [value, ifaces, local.errors.length, link]);

  const serverSays = server && server.filter === value ? server : null;
  const blocking = local.errors.length > 0 || (serverSays !== null && !serverSays.ok);
  useEffect(() => onVerdict({ blocking }), [blocking, onVerdict]);

  return (
    <div className="filter-field">
      <label htmlFor="bpf">Capture filter (BPF)</label>
      <input
        id="bpf"
        type="text"
        spellCheck={false}
        autoComplete="off"
        className={`mono ${blocking ? 'invalid' : value.trim() ? 'valid' : ''}`}
        aria-invalid={blocking}
        aria-describedby="bpf-help"
        value={value}
        maxLength={4096}
        placeholder="e.g. not port 22 and (tcp or udp)"
        onChange={(e) => onChange(e.target.value)}
      />
      <div id="bpf-help" className="filter-help" data-testid="filter-check">
        {local.errors.map((m) => (
          <p key={m} className="error small">
            {m}
          </p>
        ))}
        {serverSays && !serverSays.ok && (
          <p className="error small">libpcap: {serverSays.message ?? 'invalid filter'}</p>
        )}
        {local.errors.length === 0 &&
          local.warnings.map((m) => (
            <p key={m} className="warn small">
              {m}
            </p>
          ))}
        {value.trim() && !blocking && local.warnings.length === 0 && (
          <p className="ok small">{serverSays?.ok ? 'Checked by libpcap.' : 'Looks well formed.'}</p>
        )}
      </div>
    </div>
  );
}

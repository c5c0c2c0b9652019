/**
 * The connection dialog: points the engine at a NATS server and sites (the desktop app's way to a
 * sensors' console). Credentials are paths of files on the engine's machine, never the secrets; the
 * engine checks a setting by following it and keeps it in its data folder. Hosts that keep no
 * connection (a console started with --nats) show nothing here.
 */
import { useEffect, useState, type FormEvent } from 'react';
import type { SensorConnection } from '../../shared/ipc/contract';
import { useLink } from '../context';

type Field = 'nats' | 'user' | 'passwordFile' | 'creds' | 'nkeySeed' | 'tlsCa' | 'sites';

const FIELDS: { id: Field; label: string; placeholder: string }[] = [
  { id: 'nats', label: 'NATS server', placeholder: 'nats://hub.example:4222' },
  { id: 'sites', label: 'Sites (blank: every site readable)', placeholder: 'plant-1, lab' },
  { id: 'user', label: 'User', placeholder: 'hq' },
  { id: 'passwordFile', label: 'Password file', placeholder: '/etc/glasspane/hq.password' },
  { id: 'creds', label: 'Credentials file', placeholder: '/etc/glasspane/console.creds' },
  { id: 'nkeySeed', label: 'Nkey seed file', placeholder: '/etc/glasspane/console.nk' },
  { id: 'tlsCa', label: 'TLS CA file', placeholder: '/etc/glasspane/hub-ca.pem' },
];

type Form = Record<Field, string>;

const EMPTY: Form = { nats: '', user: '', passwordFile: '', creds: '', nkeySeed: '', tlsCa: '', sites: '' };

function toForm(s: SensorConnection | null): Form {
  if (s === null) return EMPTY;
  return {
    nats: s.nats,
    user: s.user ?? '',
    passwordFile: s.passwordFile ?? '',
    creds: s.creds ?? '',
    nkeySeed: s.nkeySeed ?? '',
    tlsCa: s.tlsCa ?? '',
    sites: s.sites.join(', '),
  };
}

function fromForm(f: Form): SensorConnection {
  const opt = (v: string) => (v.trim() === '' ? undefined : v.trim());
  return {
    nats: f.nats.trim(),
    user: opt(f.user),
    passwordFile: opt(f.passwordFile),
    creds: opt(f.creds),
    nkeySeed: opt(f.nkeySeed),
    tlsCa: opt(f.tlsCa),
    sites: f.sites
      .split(/[\s,]+/)
      .map((x) => x.trim())
      .filter(Boolean),
  };
}

export function ConnectionDialog() {
  const link = useLink();
  const [supported, setSupported] = useState<boolean | null>(null);
  const [form, setForm] = useState<Form>(EMPTY);
  const [status, setStatus] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    void link.optional('getSensorConnection', {}).then((r) => {
      if (!r.ok) return setSupported(false);
      setSupported(r.value.supported);
      setForm(toForm(r.value.settings));
      setStatus(r.value.message);
    });
  }, [link]);

  if (supported !== true) return null;

  const save = async (settings: SensorConnection | null) => {
    setBusy(true);
    setError(null);
    const r = await link.optional('setSensorConnection', { settings });
    setBusy(false);
    if (!r.ok) return setError(r.message);
    setForm(toForm(r.value.settings));
    setStatus(r.value.message);
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (form.nats.trim() === '') return setError('give the NATS server, e.g. nats://hub.example:4222');
    void save(fromForm(form));
  };

  return (
    <form className="connection-dialog" data-testid="sensor-connection" onSubmit={submit}>
      <h3>Connect to sensors</h3>
      {FIELDS.map((f) => (
        <label key={f.id} className="connection-field">
          <span>{f.label}</span>
          <input
            type="text"
            value={form[f.id]}
            placeholder={f.placeholder}
            spellCheck={false}
            onChange={(e) => setForm({ ...form, [f.id]: e.target.value })}
          />
        </label>
      ))}
      <p className="muted small">Secrets stay in their files: give the paths on the engine’s machine.</p>
      <div className="connection-actions">
        <button type="submit" disabled={busy}>
          Connect
        </button>
        <button type="button" className="link" disabled={busy} onClick={() => void save(null)}>
          Forget
        </button>
      </div>
      {error !== null && (
        <p className="error" role="alert" data-testid="connection-error">
          {error}
        </p>
      )}
      {status !== null && error === null && (
        <p className="muted small" data-testid="connection-status">
          {status}
        </p>
      )}
    </form>
  );
}

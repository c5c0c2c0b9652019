import { test } from 'node:test';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { MIGRATIONS, NewerSchemaError, migrate } from '../../src-main/store/migrations';
import { defaultDbPath } from '../../src-main/store/paths';
import { Store } from '../../src-main/store/store';
import { Session, T0, chat, host, tempDb } from './session';

function tables(db: Database.Database): string[] {
  return (
    db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").pluck().all() as string[]
  ).filter((n) => !n.startsWith('sqlite_'));
}

test('an empty file gets the whole schema, in WAL mode, and reopening changes nothing', () => {
  const path = tempDb();
  const s = new Store(path);
  assert.equal(Number(s.db.pragma('user_version', { simple: true })), MIGRATIONS.length);
  assert.equal(s.db.pragma('journal_mode', { simple: true }), 'wal');
  const want = [
    'alerts',
    'batches',
    'checkpoint_records',
    'devices',
    'edges',
    'edits',
    'merges',
    'meta',
    'splits',
    'timeline',
  ];
  assert.deepEqual(tables(s.db), want);
  const schema = s.db.prepare('SELECT sql FROM sqlite_master ORDER BY name').pluck().all();
  s.close();

  const again = new Store(path);
  assert.equal(Number(again.db.pragma('user_version', { simple: true })), MIGRATIONS.length);
  assert.deepEqual(again.db.prepare('SELECT sql FROM sqlite_master ORDER BY name').pluck().all(), schema);
  assert.equal(again.session, 2, 'each open is a new session');
  again.close();
});

test('an older database is brought forward with its data kept', () => {
  const path = tempDb();
  // A version-1 database with one device in it, as an earlier Glasspane left it.
  const s = new Session(path);
  s.feed([chat(host(1), host(2), T0)]);
  s.tick();
  s.close();
  const raw = new Database(path);
  raw.exec(
    'DROP TABLE alerts; DROP TABLE timeline; DROP TABLE edits; DROP TABLE merges; DROP TABLE splits; DROP TABLE checkpoint_records;',
  );
  raw.pragma('user_version = 1');
  raw.close();

  const from = new Database(path);
  assert.equal(migrate(from), 1);
  assert.equal(Number(from.pragma('user_version', { simple: true })), MIGRATIONS.length);
  assert.equal(migrate(from), MIGRATIONS.length, 'a second run has nothing to do');
  from.close();

  const st = new Store(path);
  assert.deepEqual(
    st.devices().map((d) => d.id),
    ['mac:' + host(1).mac, 'mac:' + host(2).mac],
  );
  assert.deepEqual(st.alerts(), []);
  st.edit('mac:' + host(1).mac, 'name', 'pump-1');
  assert.equal(st.device('mac:' + host(1).mac)!.hostname, 'pump-1');
  st.close();
});

test('a database from a newer Glasspane is refused, not damaged', () => {
  const path = tempDb();
  const raw = new Database(path);
  raw.pragma(`user_version = ${MIGRATIONS.length + 5}`);
  raw.close();
  assert.throws(() => new Store(path), NewerSchemaError);
  const check = new Database(path);
  assert.equal(Number(check.pragma('user_version', { simple: true })), MIGRATIONS.length + 5);
  check.close();
});

test('the default database lives in the platform’s per-user data folder', () => {
  assert.equal(
    defaultDbPath({ XDG_DATA_HOME: '/x/data' }, 'linux', '/home/u'),
    '/x/data/glasspane/inventory.db',
  );
  assert.equal(defaultDbPath({}, 'linux', '/home/u'), '/home/u/.local/share/glasspane/inventory.db');
  assert.equal(
    defaultDbPath({ XDG_DATA_HOME: 'relative' }, 'linux', '/home/u'),
    '/home/u/.local/share/glasspane/inventory.db',
  );
  assert.equal(
    defaultDbPath({}, 'darwin', '/Users/u'),
    '/Users/u/Library/Application Support/glasspane/inventory.db',
  );
  assert.match(
    defaultDbPath({ APPDATA: 'C:\\Users\\u\\AppData\\Roaming' }, 'win32', 'C:\\Users\\u'),
    /Roaming.glasspane.inventory\.db$/,
  );
});

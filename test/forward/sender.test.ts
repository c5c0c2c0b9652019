import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Socket } from 'node:net';
import { parseForwardUri, type SyslogDestination } from '../../src-main/forward/destination';
import { SyslogSender } from '../../src-main/forward/syslog-sender';
import { RSYSLOGD, startRsyslog } from './rsyslog';

const skip =
  RSYSLOGD === null ? 'rsyslogd is not installed (apt-get install rsyslog; .ci/run installs it)' : false;

test(
  'a full queue drops the oldest messages, counts them, and delivers the rest in order',
  { skip },
  async () => {
    const rs = await startRsyslog();
    try {
      const s = new SyslogSender(
        parseForwardUri(`syslog+tcp://127.0.0.1:${rs.tcpPort}`) as SyslogDestination,
        { maxQueue: 3 },
      );
      for (let i = 1; i <= 5; i++) s.push(`<14>1 - - glasspane - test - message ${i}`);
      assert.equal(s.stats.dropped, 2);
      const st = await s.flush(Date.now() + 5000);
      assert.deepEqual({ ...st }, { queued: 0, sent: 3, failed: 0, dropped: 2, lastError: null });
      assert.deepEqual(
        (await rs.waitFor(3)).map((l) => l.replace(/^.* message /, '')),
        ['3', '4', '5'],
      );
    } finally {
      await rs.stop();
    }
  },
);

test('a receiver that accepts and never lets go holds the sender no longer than its deadline', async () => {
  const held: Socket[] = [];
  const srv = createServer((c) => {
    c.pause();
    held.push(c);
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as { port: number }).port;
  try {
    const s = new SyslogSender(parseForwardUri(`syslog+tcp://127.0.0.1:${port}`) as SyslogDestination);
    for (let i = 0; i < 100; i++) s.push('<14>1 - - glasspane - test - ' + 'x'.repeat(10000));
    const t0 = Date.now();
    const st = await s.flush(t0 + 1500);
    const ms = Date.now() - t0;
    assert.ok(ms >= 1400 && ms < 4000, `flush took ${ms} ms`);
    assert.equal(st.sent, 0);
    assert.equal(st.failed, 100);
    assert.match(st.lastError!, /did not take the messages in time/);
  } finally {
    for (const c of held) c.destroy();
    srv.close();
  }
});

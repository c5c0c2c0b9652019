// A Glasspane sender as a process of its own, for the restart test: queue the events in the file
// (if one is given), then deliver with batches of 3 until the queue is empty or 20 s have passed.
import { readFileSync } from 'node:fs';
import { parseForwardUri } from '../../src-main/forward/destination';
import { Forwarder } from '../../src-main/forward/forwarder';
import { smallBatches } from './delivery-setup';

const [dataDir, uri, eventsFile] = process.argv.slice(2) as [string, string, string | undefined];
const f = new Forwarder([parseForwardUri(uri)], { version: '0.1.0', host: 'sensor-test' }, dataDir, {
  transport: smallBatches(3),
  baseMs: 50,
  maxMs: 200,
});
f.start();
if (eventsFile !== undefined) f.send(JSON.parse(readFileSync(eventsFile, 'utf8')) as never);
process.stdout.write('queued\n');
const [r] = await f.finish(20_000);
process.stdout.write(JSON.stringify(r!.stats) + '\n');

/**
 * The console's connection to sensors as the connection dialog sets it: kept by the engine in a
 * JSON file of its data folder (0600; secrets only as paths of files, never inline), followed at
 * once, and again at every start. A setting is checked by following it: bad options, a missing
 * file, refused credentials or a named site this account may not read answer bad-request with the
 * reason, and nothing is saved.
 */
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { sensorConnectionSchema, type SensorConnection } from '../../shared/ipc/contract';
import { UsageError } from '../cli/output';
import { CallFailure } from '../ipc/engine-api';
import type { SiteLink, SiteSink } from '../sensor/site-link';
import { errorText } from './store-link';

export class SensorConnectionBook {
  private settings: SensorConnection | null = null;
  private link: SiteLink | null = null;
  private message: string | null = null;

  constructor(
    private readonly file: string,
    /** The merged view's sink (made on first use: the engine turns into a sensors' console then). */
    private readonly sink: () => SiteSink,
    private readonly log: (m: string) => void,
  ) {}

  /** Follow the saved settings, if any (at the engine's start; problems are said, not thrown). */
  async resume(): Promise<void> {
    let raw: string;
    try {
      raw = readFileSync(this.file, 'utf8');
    } catch {
      return;
    }
    const p = sensorConnectionSchema.safeParse(JSON.parse(raw) as unknown);
    if (!p.success) {
      this.log(`the sensor connection in ${this.file} is not valid: ignored`);
      return;
    }
    try {
      await this.follow(p.data);
    } catch (e) {
      this.settings = p.data;
      this.message = errorText(e);
      this.log(`the saved sensor connection does not work: ${this.message}`);
    }
  }

  answer() {
    return { supported: true, settings: this.settings, message: this.message };
  }

  async set(s: SensorConnection | null) {
    if (s === null) {
      await this.link?.close();
      this.link = null;
      this.settings = null;
      this.message = null;
      rmSync(this.file, { force: true });
      return this.answer();
    }
    try {
      await this.follow(s);
    } catch (e) {
      if (e instanceof UsageError) throw new CallFailure('bad-request', e.message);
      throw e;
    }
    this.save(s);
    return this.answer();
  }

  private async follow(s: SensorConnection): Promise<void> {
    const { followSites } = await import('../sensor/site-link');
    const next = await followSites({ ...s, site: s.sites }, this.sink());
    await this.link?.close();
    this.link = next;
    this.settings = s;
    this.message = `following ${s.sites.length > 0 ? `site(s) ${s.sites.join(', ')}` : 'every site this account may read'} at ${s.nats}`;
  }

  private save(s: SensorConnection): void {
    mkdirSync(dirname(this.file), { recursive: true, mode: 0o700 });
    const tmp = `${this.file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(s, null, 2) + '\n', { mode: 0o600 });
    renameSync(tmp, this.file);
  }

  async close(): Promise<void> {
    await this.link?.close();
    this.link = null;
  }
}

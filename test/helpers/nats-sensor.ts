/**
 * What the tests of sensors on a real nats-server (nats-server.ts) share: the corpus captures they
 * publish, why they skip, `glasspane sensor`'s arguments, and how many messages a site's stream holds.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { NatsConnection } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import { PCAPS } from './corpus';
import { natsUnavailable, type TestNats } from './nats-server';

/** 42 BACnet/IP devices. */
export const BACNET_CAPTURE = join(PCAPS, 'bacnet__icsnpp-bacnet__bacnet_example.pcap');
/** 4 devices from DHCP. */
export const DHCP_CAPTURE = join(PCAPS, 'dhcp__tcpdump__dhcp-mud.pcap');
/** 2 EtherNet/IP devices. */
export const ENIP_CAPTURE = join(PCAPS, 'enip-listidentity__iti-ics__enip_test.pcap');

/** Why a test of sensors over NATS cannot run here (no nats-server, or these captures missing), or null. */
export function natsCorpusSkip(...captures: string[]): string | null {
  return (
    natsUnavailable() ??
    (captures.some((f) => !existsSync(f)) ? 'the shared capture corpus is not here' : null)
  );
}

/** `--nats URL --user USER --password-file FILE`: a user of `nats` who logs in with a password. */
export function passwordAuth(nats: TestNats, user: string, file = nats.passwordFile(user)): string[] {
  return ['--nats', nats.url, '--user', user, '--password-file', file];
}

/** `glasspane sensor` for one site and sensor name, with its broker arguments, data folder and the rest. */
export function sensorArgs(
  site: string,
  sensor: string,
  auth: readonly string[],
  dataDir: string,
  ...rest: string[]
): string[] {
  return ['sensor', '--site', site, '--sensor', sensor, ...auth, '--data-dir', dataDir, ...rest];
}

/** Messages in the site's stream, -1 when the stream does not exist (nothing was ever published). */
export async function siteMessages(nc: NatsConnection, site: string): Promise<number> {
  const jsm = await jetstreamManager(nc);
  try {
    return (await jsm.streams.info(`GLASSPANE_${site}`)).state.messages;
  } catch {
    return -1;
  }
}

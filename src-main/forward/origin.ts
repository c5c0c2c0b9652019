import { hostname } from 'node:os';
import type { Origin } from '../../shared/forward/events';

/** This machine as the reporter of forwarded events: its host name and Glasspane's version. */
export function localOrigin(o: { site?: string; sensor?: string } = {}): Origin {
  const origin: Origin = { host: hostname(), version: process.env.GLASSPANE_VERSION ?? '0.1.0' };
  if (o.site !== undefined) origin.site = o.site;
  if (o.sensor !== undefined) origin.sensor = o.sensor;
  return origin;
}

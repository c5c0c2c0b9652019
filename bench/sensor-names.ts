/** How the sensor bench names its simulated sensors and their sites (bench/sensors.ts, sensors-publisher.ts). */

/** Sensors to a site: a site's stream carries this many sensors' messages. */
export const SENSORS_PER_SITE = 10;

/** Sensor `s` (0-based): its site, ten sensors to a site. */
export const siteOf = (s: number) => `site${String(Math.floor(s / SENSORS_PER_SITE) + 1).padStart(2, '0')}`;

export const sensorName = (s: number) => `sensor${String(s + 1).padStart(3, '0')}`;

import type { StoreLocation } from '../../src/store/connect.js';
import { startFullVigil } from './vigil.js';

/** Push and local nodes only: nothing is probed, so the only state is what a test reports. */
export const REPORTED_PROBES = `
[[probe.service]]
id = "web"
label = "Web"
[[probe.service.node]]
id = "app"
label = "App"
mode = "push"
[[probe.service]]
id = "relay"
label = "Relay"
[[probe.service.node]]
id = "lan"
label = "LAN"
mode = "local"
`;

/** The `[storage]` table that points at a test engine's database. */
export function storageTable(location: StoreLocation, extraKeys = ''): string {
  const where =
    location.engine === 'sqlite'
      ? `engine = "sqlite"\npath = ${JSON.stringify(location.path)}`
      : `engine = "postgres"\nurl = ${JSON.stringify(location.url)}`;
  return `\n[storage]\n${where}\n${extraKeys}\n`;
}

/** The whole server (main.ts wiring) over a test engine's database. */
export function startStoredVigil(location: StoreLocation, probes = REPORTED_PROBES, extra = '') {
  return startFullVigil(`${extra}${storageTable(location)}\n[probe]\n${probes}`);
}

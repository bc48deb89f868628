import type { Rng } from '../random.js';
import type { Scenario } from '../model.js';
import { asnFlood, burpScan, originErrors } from './web-attacks.js';
import { aitmPhishing, bazarLoader, dnsTunnel, telegramExfil, zscalerBypass } from './endpoint.js';
import { rdpScan, stolenKey } from './cloud.js';
import { edgeShift } from './edge-shift.js';
import { accountTakeover } from './account-takeover.js';

/** Incident injectors in a fixed order (the random stream depends on it). */
const INCIDENTS: readonly ((s: Scenario, rng: Rng) => void)[] = [
  burpScan, bazarLoader, dnsTunnel, telegramExfil, zscalerBypass, aitmPhishing, stolenKey, rdpScan, asnFlood, originErrors, edgeShift, accountTakeover,
];

export function injectIncidents(s: Scenario, rng: Rng): void {
  for (const inject of INCIDENTS) inject(s, rng);
}

export { RULES, requestRefs, dnsRefs, flatTrace } from './common.js';

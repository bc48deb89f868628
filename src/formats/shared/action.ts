import type { EcsEvent } from '../../ecs/event.js';

/**
 * How a vendor's verdict reads in ECS, for the proxies and DNS filters that write it as a word
 * (Umbrella: Allowed, ALLOWED, BLOCK …; Zscaler: Allowed, Blocked, drop, deny, reset …).
 */
const ACTIONS: Record<string, { action: string; outcome: 'success' | 'failure'; type: string }> = {
  allowed: { action: 'allowed', outcome: 'success', type: 'allowed' },
  allow: { action: 'allowed', outcome: 'success', type: 'allowed' },
  blocked: { action: 'blocked', outcome: 'failure', type: 'denied' },
  block: { action: 'blocked', outcome: 'failure', type: 'denied' },
  drop: { action: 'drop', outcome: 'failure', type: 'denied' },
  deny: { action: 'denied', outcome: 'failure', type: 'denied' },
  denied: { action: 'denied', outcome: 'failure', type: 'denied' },
  reset: { action: 'reset', outcome: 'failure', type: 'denied' },
};

/** event.action (lower case; allowed/blocked normalized), event.outcome and the allowed/denied type. */
export function applyAction(event: EcsEvent, value: string | undefined): void {
  const ev = event.event!;
  if (!value) {
    ev.outcome = 'unknown';
    return;
  }
  const key = value.toLowerCase();
  // hasOwn: an action of 'constructor' or 'toString' must not find Object's members (found by fuzzing:
  // event.type got an undefined entry, which the store refuses).
  const known = Object.hasOwn(ACTIONS, key) ? ACTIONS[key] : undefined;
  ev.action = known?.action ?? key;
  ev.outcome = known?.outcome ?? 'unknown';
  if (known) ev.type = [...(ev.type ?? []), known.type];
}

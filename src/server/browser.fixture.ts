/**
 * What every console browser test shares: Debian's chromium launched headless through playwright-core,
 * and axe-core's serious and critical findings on a page.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { chromium, type Browser, type Page } from 'playwright-core';
import { CHROMIUM } from './test-fixture.js';

/** Chromium's flags for the tests: no sandbox (root in CI), no GPU, no QUIC, no background traffic. */
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
}

const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** axe-core's serious and critical violations on the page, one line each (the page's context needs bypassCSP). */
export async function axeViolations(p: Page): Promise<string[]> {
  if (!(await p.evaluate('typeof window.axe === "object"'))) await p.addScriptTag({ content: AXE });
  const found = (await p.evaluate(
    `axe.run(document, { resultTypes: ['violations'] }).then((r) => r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 3).map((n) => ({ target: n.target })) })))`,
  )) as { id: string; impact: string; help: string; nodes: { target: string[] }[] }[];
  return found.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.impact} ${v.id}: ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

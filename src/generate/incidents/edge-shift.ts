import type { Rng } from '../random.js';
import { appRequest, BROWSER_UAS } from '../traffic.js';
import { FAR_EDGE } from '../world.js';
import type { Scenario, WebRequest } from '../model.js';
import { addIncident, ANOMALY, at, requestRefs } from './common.js';

/** For fifteen minutes the distribution is suddenly served from a new edge to viewers in a new country. */
export function edgeShift(s: Scenario, rng: Rng): void {
  const from = at(s, 0.8);
  const reqs: WebRequest[] = [];
  for (let i = 0; i < 60; i++) {
    const r = appRequest(s.world, rng, from + i * 15_000, { route: 'internet', viewerIp: `2001:db8:beef::${(i % 12) + 1}`, viewerPort: rng.int(1024, 65535) }, FAR_EDGE, {
      method: 'GET', path: i % 3 ? '/api/items' : '/', query: i % 3 ? 'page=1' : '', ua: BROWSER_UAS[i % BROWSER_UAS.length]!, cacheable: i % 3 === 0,
      contentType: i % 3 ? 'application/json' : 'text/html', incident: 'new-edge',
    });
    r.waf!.country = 'BR';
    reqs.push(r);
  }
  s.requests.push(...reqs);
  addIncident(s, 'new-edge', `Distribution served from a new edge (${FAR_EDGE.code}) and viewer country (BR)`, 'Viewers from a country never seen before, served by an edge location the distribution never used.',
    from, from + 60 * 15_000, reqs.flatMap(requestRefs), [ANOMALY.newEdge, ANOMALY.newCountry]);
}

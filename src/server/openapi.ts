import type { ApiRoute, Schema } from './routes/define.js';

const ERROR: Schema = { type: 'object', properties: { error: { type: 'string' } }, required: ['error'] };

/** `:id` (fastify) → `{id}` (OpenAPI). */
const openapiPath = (url: string) => url.replace(/:([A-Za-z_]+)/g, '{$1}');

function parametersOf(r: ApiRoute): Schema[] {
  const out: Schema[] = [];
  for (const [where, schema] of [['query', r.querystring], ['path', r.params]] as const) {
    const props = (schema?.properties ?? {}) as Record<string, Schema>;
    const required = new Set((schema?.required ?? []) as string[]);
    for (const [name, s] of Object.entries(props)) out.push({ name, in: where, required: where === 'path' || required.has(name), schema: s, ...(s.description ? { description: s.description } : {}) });
  }
  return out;
}

/** The OpenAPI 3.1 document of the API, generated from the route list. */
export function openapiDocument(routes: readonly ApiRoute[], version: string, auth: boolean): Schema {
  const paths: Record<string, Record<string, Schema>> = {};
  for (const r of routes) {
    const op: Schema = {
      summary: r.summary,
      tags: [r.tag],
      parameters: parametersOf(r),
      responses: {
        200: { description: r.response.description, content: { 'application/json': { schema: r.response.schema ?? { type: 'object' } } } },
        400: { description: 'invalid input (the message says what)', content: { 'application/json': { schema: ERROR } } },
        ...(auth ? { 401: { description: 'missing or wrong access token', content: { 'application/json': { schema: ERROR } } } } : {}),
        ...(r.writes ? { 403: { description: 'the server runs with --read-only', content: { 'application/json': { schema: ERROR } } } } : {}),
      },
    };
    if (r.body) op.requestBody = { required: true, content: { 'application/json': { schema: r.body } } };
    (paths[openapiPath(r.url)] ??= {})[r.method.toLowerCase()] = op;
  }
  return {
    openapi: '3.1.0',
    info: { title: 'packettrail console API', version, description: 'Alerts, trails, SPL/SQL search, insights dashboards, sources and rules over one packettrail database.' },
    servers: [{ url: '/' }],
    ...(auth ? { components: { securitySchemes: { token: { type: 'http', scheme: 'bearer' } } }, security: [{ token: [] }] } : {}),
    paths,
  };
}

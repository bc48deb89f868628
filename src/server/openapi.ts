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
        ...(r.role !== 'public' ? { 401: { description: 'no session and no (or a wrong) access token', content: { 'application/json': { schema: ERROR } } } } : {}),
        ...(r.role !== 'public' || r.writes
          ? { 403: { description: [r.role !== 'public' ? `the caller's role is below ${r.role}` : '', r.writes ? 'the server runs with --read-only' : '', r.method !== 'GET' ? 'a session without its x-packettrail-csrf header' : ''].filter(Boolean).join('; '), content: { 'application/json': { schema: ERROR } } } }
          : {}),
      },
      // The least role that may call the operation (viewer < analyst < admin); public: anyone.
      'x-minimum-role': r.role,
      security: r.role === 'public' ? [] : [{ token: [] }, { session: [] }],
    };
    if (r.body) op.requestBody = { required: true, content: { 'application/json': { schema: r.body } } };
    (paths[openapiPath(r.url)] ??= {})[r.method.toLowerCase()] = op;
  }
  return {
    openapi: '3.1.0',
    info: { title: 'packettrail console API', version, description: 'Alerts, trails, SPL/SQL search, insights dashboards, sources and rules over one packettrail database. Each operation names the least role it needs in x-minimum-role.' },
    servers: [{ url: '/' }],
    // Every operation needs one or the other unless it says otherwise (the sign-in endpoints: security []).
    security: [{ token: [] }, { session: [] }],
    components: {
      securitySchemes: {
        token: { type: 'http', scheme: 'bearer', description: auth ? 'the access token (PACKETTRAIL_TOKEN or <db>.console-token)' : 'the access token, when the server has one' },
        session: { type: 'apiKey', in: 'cookie', name: 'packettrail-session', description: 'a sign-in session (POST /api/auth/login or OpenID Connect); __Host-packettrail-session over TLS' },
      },
    },
    paths,
  };
}

export { createConsoleServer, openReadOnlyStore, API_ROUTES, BODY_LIMIT, DEFAULT_CONSOLE_DIR, type ConsoleServer, type ConsoleServerOptions } from './app.js';
export { resolveToken, isLoopback, tokenMatches, tokenFileFor, TOKEN_ENV, type ResolvedToken } from './auth.js';
export { CONTENT_SECURITY_POLICY } from './security.js';
export { DEFAULT_CONNECTION_LIMITS, MAX_CONNECTIONS, MAX_CONNECTIONS_PER_ADDRESS, type ConnectionLimits } from './limits.js';
export { searchesFileFor, type SavedSearch } from './saved-searches.js';

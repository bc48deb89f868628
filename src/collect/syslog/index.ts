export { parseSyslog, type SyslogMessage } from './header.js';
export { SyslogFramer, type Framing } from './framing.js';
export { SyslogRouter, readRouter, type RouteTarget } from './routes.js';
export { SyslogInput, type SyslogSettings, type SyslogCounts } from './input.js';
export { syslogInputType } from './input-type.js';

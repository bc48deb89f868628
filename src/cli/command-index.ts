/**
 * What the top-level help lists for each command, in help order: its usage term and description.
 * Top-level help is printed from this table without loading any command (loading them all took
 * 1.1 s); each command takes its description from here, and a test checks that the commands, once
 * loaded, list exactly the same.
 */
export const COMMAND_INDEX = {
  normalize: {
    term: 'normalize [options] [inputs...]',
    description: 'Read logs and print one ECS JSON document per line on stdout (stdin when no file is given; .gz read transparently).',
  },
  ingest: {
    term: 'ingest [options] <inputs...>',
    description: 'Normalize logs and store them in the embedded DuckDB database. Re-ingesting the same records stores them once.',
  },
  detect: {
    term: 'detect [options] [inputs...]',
    description: 'Run the detection rules and threat-intel feeds over logs and print alerts as NDJSON on stdout; events are not stored.',
  },
  query: {
    term: 'query [options] [query]',
    description: 'Run SQL or SPL over the stored events (table "events"; one column per ECS field, dots as underscores).',
  },
  formats: { term: 'formats', description: 'List the log formats packettrail reads, with their --format ids and options.' },
  vpcflow: { term: 'vpcflow', description: 'VPC flow log analyses over the stored events.' },
  rules: { term: 'rules', description: 'Check and list Sigma detection rules.' },
  generate: {
    term: 'generate [options]',
    description: "Write an enterprise's day of correlated logs from every source in its real delivery layout, with injected incidents and truth.json.",
  },
  demo: {
    term: 'demo [options]',
    description: 'Generate the correlated scenario (if absent), ingest it with every built-in detection, and report counts and detection precision/recall against truth.json.',
  },
  trail: {
    term: 'trail [options]',
    description: "Follow one request hop by hop (endpoint, DNS, proxy, firewall, CloudFront, WAF, origin): each hop's events, the join that connected it and its confidence, and why a hop is missing.",
  },
  index: {
    term: 'index [options]',
    description: 'Create the indexes that make trail lookups by request id, ALB trace id and PAN-OS session id fast (once; later ingests keep them up to date).',
  },
  insights: {
    term: 'insights [options] [view]',
    description: 'Analyses over the stored events, as tables, sparklines and findings (or JSON): CloudFront, CloudTrail changes, VPC traffic, log coverage.',
  },
  posture: {
    term: 'posture [options] <files...>',
    description: 'CloudTrail posture from the AWS CLI output of describe-trails, get-trail-status and get-event-selectors: per trail, what is weak, why, and the fix.',
  },
  collect: {
    term: 'collect [options]',
    description: 'Run the inputs of a config (S3+SQS, syslog, HTTP intake, Firehose, watched folders) into the store until stopped.',
  },
  serve: {
    term: 'serve [options]',
    description: 'Serve the web console and its JSON API (OpenAPI at /api/openapi.json) over a database, read-only.',
  },
  store: {
    term: 'store',
    description: "Create a store's whole schema on every node (store init) and apply its retention (store retention): ClickHouse or DuckDB.",
  },
  alerts: {
    term: 'alerts',
    description: 'Triage the stored alerts: list them (by status, assignee, rule, entity; or grouped), show one with its history, set status, assignee and notes.',
  },
  searches: {
    term: 'searches',
    description: 'Manage saved searches and schedule them as detections: list, add, schedule, unschedule, run-now, runs, remove.',
  },
  users: {
    term: 'users',
    description: "Manage the console's local accounts and roles (viewer, analyst, admin): add, list, set-role, passwd, remove.",
  },
  audit: {
    term: 'audit [options]',
    description: 'Show the audit log of the console and the users command: who changed what, when and from where, newest first.',
  },
  worker: {
    term: 'worker [options]',
    description: 'Pull the batches push inputs appended to a NATS JetStream stream (collect --to nats://…), normalize, detect and store them; any number of workers share a stream.',
  },
  cluster: {
    term: 'cluster',
    description: 'Show the processes registered in NATS (collect, serve, workers): their inputs\' counts, errors, heartbeats, and the intake stream\'s lag.',
  },
} as const satisfies Record<string, { term: string; description: string }>;

export type CommandName = keyof typeof COMMAND_INDEX;

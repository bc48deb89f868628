// Benchmark: CloudTrail S3 objects ({"Records":[…]}, gzipped, one JSON line per file as AWS writes them)
// through `packettrail normalize --format aws.cloudtrail DIR > /dev/null`. Generates realistic,
// deterministic records (mixed identity types, APIs, errors, user agents, TLS details), then times the CLI.
// Target: ≥ 50,000 events/s. The default corpus is 1,000,000 events (1,000 objects), the size of the
// other formats' benchmarks: on 200 objects, start-up and JIT warm-up are a fifth of a 4-second run.
// Usage: node bench/cloudtrail.js [--files 1000] [--records 1000] [--dir /tmp/pt-bench-cloudtrail-1m] [--threads N] [--keep]
//        [--generate-only] (write the objects and stop, e.g. to ingest them into a store for bench/spl-vs-sql.js)
import { spawn } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync, existsSync, readdirSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { mulberry32 } from './lib.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = Object.fromEntries(
  process.argv.slice(2).reduce((acc, a, i, all) => {
    if (a.startsWith('--')) acc.push([a.slice(2), all[i + 1] && !all[i + 1].startsWith('--') ? all[i + 1] : 'true']);
    return acc;
  }, []),
);
const FILES = Number(args.files ?? 1000);
const RECORDS = Number(args.records ?? 1000);
const DIR = args.dir ?? join(tmpdir(), FILES === 1000 ? 'pt-bench-cloudtrail-1m' : `pt-bench-cloudtrail-${FILES}`);
const ACCOUNT = '123456789012';

const AGENTS = [
  'aws-cli/2.17.60 md/awscrt#0.21.2 ua/2.0 os/macos#23.6.0 md/arch#x86_64 lang/python#3.12.6 md/pyimpl#CPython cfg/retry-mode#standard md/installer#exe md/prompt#off md/command#s3api.list-buckets',
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
  'Boto3/1.34.11 md/Botocore#1.34.11 ua/2.0 os/linux#5.10.205-195.807.amzn2.x86_64 md/arch#x86_64 lang/python#3.11.6 md/pyimpl#CPython cfg/retry-mode#legacy Botocore/1.34.11',
  'aws-sdk-go-v2/1.24.0 os/linux lang/go#1.21.5 md/GOOS#linux md/GOARCH#amd64 api/sts#1.26.6',
  'Terraform/1.6.6 (+https://www.terraform.io) terraform-provider-aws/5.31.0 (+https://registry.terraform.io/providers/hashicorp/aws) aws-sdk-go/1.49.4',
  'console.amazonaws.com',
  'AWS Internal',
];
const APIS = [
  ['s3.amazonaws.com', 'GetObject', true, 'Data'], ['s3.amazonaws.com', 'PutObject', false, 'Data'],
  ['sts.amazonaws.com', 'AssumeRole', true, 'Management'], ['sts.amazonaws.com', 'GetCallerIdentity', true, 'Management'],
  ['ec2.amazonaws.com', 'DescribeInstances', true, 'Management'], ['ec2.amazonaws.com', 'RunInstances', false, 'Management'],
  ['ec2.amazonaws.com', 'AuthorizeSecurityGroupIngress', false, 'Management'], ['iam.amazonaws.com', 'CreateAccessKey', false, 'Management'],
  ['iam.amazonaws.com', 'AttachRolePolicy', false, 'Management'], ['kms.amazonaws.com', 'Decrypt', true, 'Management'],
  ['secretsmanager.amazonaws.com', 'GetSecretValue', true, 'Management'], ['lambda.amazonaws.com', 'UpdateFunctionCode20150331v2', false, 'Management'],
  ['signin.amazonaws.com', 'ConsoleLogin', false, 'Management'], ['cloudtrail.amazonaws.com', 'StopLogging', false, 'Management'],
];
const PEOPLE = ['lee.cole', 'ana.ruiz', 'sam.ito', 'kim.berg', 'raj.patel', 'eva.lind'];

function pick(rand, list) {
  return list[(rand() * list.length) | 0];
}

function identity(rand, i) {
  const person = pick(rand, PEOPLE);
  switch (i % 6) {
    case 0:
    case 1:
      return {
        type: 'AssumedRole', principalId: `AROAEXAMPLE${i % 7}:${person}@corp.example`,
        arn: `arn:aws:sts::${ACCOUNT}:assumed-role/AWSReservedSSO_Admin_1a2b3c/${person}@corp.example`, accountId: ACCOUNT, accessKeyId: `ASIA${i}EXAMPLE`,
        sessionContext: { sessionIssuer: { type: 'Role', principalId: 'AROAEXAMPLE', arn: `arn:aws:iam::${ACCOUNT}:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Admin_1a2b3c`, accountId: ACCOUNT, userName: 'AWSReservedSSO_Admin_1a2b3c' }, attributes: { creationDate: '2026-11-20T07:00:00Z', mfaAuthenticated: 'false' } },
      };
    case 2:
      return { type: 'IAMUser', principalId: 'AIDAEXAMPLE', arn: `arn:aws:iam::${ACCOUNT}:user/${person}`, accountId: ACCOUNT, accessKeyId: 'AKIAEXAMPLE', userName: person };
    case 3:
      return { type: 'AWSService', invokedBy: pick(rand, ['ec2.amazonaws.com', 'lambda.amazonaws.com', 'config.amazonaws.com']) };
    case 4:
      return { type: 'AssumedRole', principalId: 'AROAEXAMPLE2:i-0abc123', arn: `arn:aws:sts::${ACCOUNT}:assumed-role/app-server/i-0abc123`, accountId: ACCOUNT, accessKeyId: 'ASIAEXAMPLE2', sessionContext: { sessionIssuer: { type: 'Role', principalId: 'AROAEXAMPLE2', arn: `arn:aws:iam::${ACCOUNT}:role/app-server`, accountId: ACCOUNT, userName: 'app-server' }, attributes: { creationDate: '2026-11-20T06:00:00Z', mfaAuthenticated: 'false' }, ec2RoleDelivery: '2.0' } };
    default:
      return { type: 'Root', principalId: ACCOUNT, arn: `arn:aws:iam::${ACCOUNT}:root`, accountId: ACCOUNT, accessKeyId: 'ASIAROOT' };
  }
}

function hex(rand, n) {
  let s = '';
  for (let k = 0; k < n; k++) s += ((rand() * 16) | 0).toString(16);
  return s;
}

function record(rand, t, i) {
  const [source, name, readOnly, category] = pick(rand, APIS);
  const ui = identity(rand, i);
  const service = ui.type === 'AWSService';
  const failed = rand() < 0.05;
  const r = {
    eventVersion: '1.09', userIdentity: ui, eventTime: new Date(t).toISOString().slice(0, 19) + 'Z', eventSource: source, eventName: name,
    awsRegion: pick(rand, ['us-east-1', 'eu-west-1', 'eu-central-1']),
    sourceIPAddress: service ? ui.invokedBy : `${(rand() * 223 + 1) | 0}.${(rand() * 256) | 0}.${(rand() * 256) | 0}.${(rand() * 256) | 0}`,
    userAgent: service ? ui.invokedBy : pick(rand, AGENTS),
    requestParameters: source === 's3.amazonaws.com' ? { bucketName: 'corp-data', Host: 'corp-data.s3.us-east-1.amazonaws.com', key: `reports/2026/${hex(rand, 8)}.csv` } : { maxResults: 50, filterSet: { items: [{ name: 'tag:team', valueSet: { items: [{ value: 'payments' }] } }] } },
    responseElements: name === 'ConsoleLogin' ? { ConsoleLogin: failed ? 'Failure' : 'Success' } : null,
    requestID: `${hex(rand, 8)}-${hex(rand, 4)}-${hex(rand, 4)}-${hex(rand, 4)}-${hex(rand, 12)}`,
    eventID: `${hex(rand, 8)}-${hex(rand, 4)}-${hex(rand, 4)}-${hex(rand, 4)}-${hex(rand, 12)}`,
    readOnly, eventType: name === 'ConsoleLogin' ? 'AwsConsoleSignIn' : 'AwsApiCall', managementEvent: category === 'Management', recipientAccountId: ACCOUNT, eventCategory: category,
    tlsDetails: { tlsVersion: 'TLSv1.3', cipherSuite: 'TLS_AES_128_GCM_SHA256', clientProvidedHostHeader: `${source.split('.')[0]}.us-east-1.amazonaws.com` },
  };
  if (source === 's3.amazonaws.com') {
    r.additionalEventData = { SignatureVersion: 'SigV4', CipherSuite: 'TLS_AES_128_GCM_SHA256', bytesTransferredIn: 0, AuthenticationMethod: 'AuthHeader', 'x-amz-id-2': hex(rand, 60), bytesTransferredOut: (rand() * 100000) | 0 };
    r.resources = [{ type: 'AWS::S3::Object', ARN: `arn:aws:s3:::corp-data/${r.requestParameters.key}` }, { accountId: ACCOUNT, type: 'AWS::S3::Bucket', ARN: 'arn:aws:s3:::corp-data' }];
  }
  if (failed && name !== 'ConsoleLogin') {
    r.errorCode = 'AccessDenied';
    r.errorMessage = `User: ${ui.arn ?? 'unknown'} is not authorized to perform: ${source.split('.')[0]}:${name}`;
  }
  return r;
}

function generate() {
  if (existsSync(DIR) && readdirSync(DIR).length === FILES && !args.regenerate) return;
  rmSync(DIR, { recursive: true, force: true });
  mkdirSync(DIR, { recursive: true });
  const rand = mulberry32(7);
  let t = Date.UTC(2026, 10, 20, 8, 0, 0);
  for (let f = 0; f < FILES; f++) {
    const records = [];
    for (let i = 0; i < RECORDS; i++) records.push(record(rand, (t += 300), i));
    const stamp = new Date(t).toISOString().replace(/[-:]/g, '').slice(0, 13) + 'Z';
    writeFileSync(join(DIR, `${ACCOUNT}_CloudTrail_us-east-1_${stamp}_${hex(rand, 16)}.json.gz`), gzipSync(JSON.stringify({ Records: records }), { level: 6 }));
  }
}

function run() {
  const cli = join(root, 'dist', 'cli', 'main.js');
  const extra = args.threads ? ['--threads', String(args.threads)] : [];
  return new Promise((resolve, reject) => {
    const started = performance.now();
    // Preload: report the CLI's own CPU time (all threads) at exit, so a busy machine can be told apart.
    const cpuHook = `data:text/javascript,process.on('exit',()=>{const u=process.cpuUsage();process.stderr.write('PT_CPU_US '+(u.user+u.system)+'\\n')})`;
    let cpu = NaN;
    const child = spawn(process.execPath, ['--import', cpuHook, cli, 'normalize', '--format', 'aws.cloudtrail', '--quiet', '--dead-letter', join(DIR, '..', 'pt-bench-cloudtrail.dead-letter.ndjson'), ...extra, DIR], { stdio: ['ignore', 'ignore', 'pipe'] });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (text) => {
      const m = /PT_CPU_US (\d+)/.exec(text);
      if (m) cpu = Number(m[1]) / 1e6;
      else process.stderr.write(text);
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, seconds: (performance.now() - started) / 1000, cpu }));
  });
}

const t0 = performance.now();
generate();
const genSeconds = (performance.now() - t0) / 1000;
if (args['generate-only']) {
  console.log(`cloudtrail: ${FILES} files × ${RECORDS} records in ${DIR} (generated in ${genSeconds.toFixed(1)} s)`);
  process.exit(0);
}
const events = FILES * RECORDS;
const { code, seconds, cpu } = await run();
const load = (await import('node:os')).loadavg()[0];
console.log(
  `cloudtrail: ${FILES} files × ${RECORDS} records (generated in ${genSeconds.toFixed(1)} s) → ${events} events in ${seconds.toFixed(2)} s = ` +
    `${Math.round(events / seconds).toLocaleString('en-US')} events/s wall; CLI CPU ${cpu.toFixed(2)} s = ${Math.round(events / cpu).toLocaleString('en-US')} events per CPU-second ` +
    `(load average ${load.toFixed(1)} on ${(await import('node:os')).availableParallelism()} cores; exit ${code})`,
);
if (!args.keep && !args.dir) rmSync(DIR, { recursive: true, force: true });

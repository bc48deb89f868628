/**
 * Seed records written here, from the vendors' documented layouts, for what the generator does not
 * write (S3 server access logs, Windows events) and for delivery forms it does not use (CloudTrail
 * through EventBridge and CloudWatch exports, digests, PAN-OS CEF/LEEF/JSON, Zscaler name-value pairs,
 * CloudFront JSON and real-time lines, VPC flow JSON and message wrappers, JWT-carrying app logs).
 * The fuzzer mutates them like every other seed; they must parse cleanly before mutation.
 */

export interface InlineGroup {
  format: string;
  /** A path-like name: some formats read hints from the source name (Umbrella log folders, Defender tables). */
  name: string;
  headers?: string[];
  records: string[];
}

const b64url = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
const JWT = `${b64url({ alg: 'RS256', typ: 'JWT' })}.${b64url({ iss: 'https://login.example/v2.0', aud: 'api://app', sub: 's1', upn: 'lee.cole@corp.example', exp: 1795172400, iat: 1795168800 })}.c2ln`;

const S3_OWNER = '79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be';
const S3_HOST_ID = 's9lzHYrFp76ZVxRcpX9+5cjAnEH2ROuNkd2BHfIa6UkFVdtjf5mKR3/eTPFvsiP/XV/VLi31234=';

const CLOUDTRAIL_RECORD = {
  eventVersion: '1.09', userIdentity: { type: 'IAMUser', principalId: 'AIDA0A1B2C3D4E5F6A7B8', arn: 'arn:aws:iam::123456789012:user/lee.cole', accountId: '123456789012', accessKeyId: 'AKIA0A1B2C3D4E5F6A7B', userName: 'lee.cole' },
  eventTime: '2026-11-20T10:00:00Z', eventSource: 'iam.amazonaws.com', eventName: 'CreateAccessKey', awsRegion: 'us-east-1', sourceIPAddress: '198.51.100.7',
  userAgent: 'aws-cli/2.15.0 Python/3.11.6 Linux/6.1.0', requestParameters: { userName: 'svc-backup' }, responseElements: { accessKey: { accessKeyId: 'AKIA9Z8Y7X6W5V4U3T2S', status: 'Active', userName: 'svc-backup' } },
  requestID: '0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0', eventID: '11111111-2222-3333-4444-555555555555', readOnly: false, eventType: 'AwsApiCall', managementEvent: true,
  recipientAccountId: '123456789012', eventCategory: 'Management', tlsDetails: { tlsVersion: 'TLSv1.3', cipherSuite: 'TLS_AES_128_GCM_SHA256', clientProvidedHostHeader: 'iam.amazonaws.com' },
};

const SYSMON_NESTED = {
  Event: {
    System: {
      Provider: { '#attributes': { Name: 'Microsoft-Windows-Sysmon' } }, EventID: 3, TimeCreated: { '#attributes': { SystemTime: '2025-11-27T07:40:10.165324Z' } },
      Channel: 'Microsoft-Windows-Sysmon/Operational', Computer: 'host1', Security: { '#attributes': { UserID: 'S-1-5-18' } },
    },
    EventData: { Image: 'C:\\Windows\\System32\\curl.exe', DestinationIp: '13.224.10.1', DestinationPort: 443, User: 'CORP\\lee.cole' },
  },
};

const ZSCALER_WEB = {
  time: 'Mon Oct 16 22:55:48 2023', tz: 'GMT', login: 'jdoe%40safemarch.com', dept: 'Sales%20EMEA', location: 'HQ', cltintip: '10.1.2.3', cltpubip: '203.0.113.9',
  sip: '198.51.100.7', eurl: 'app.example.com/a%20b?x=1', host: 'app.example.com', proto: 'HTTPS', reqmethod: 'GET', respcode: '200', reqsize: '100', respsize: '2000',
  action: 'Allowed', urlcat: 'Business', ua: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Safari/605.1.15',
};

export const INLINE_SEEDS: InlineGroup[] = [
  {
    format: 'aws.s3access',
    name: 'inline/s3access/amzn-s3-demo-bucket1/2026-11-20-10-00-00-3E57427F3EXAMPLE',
    records: [
      `${S3_OWNER} amzn-s3-demo-bucket1 [06/Feb/2019:00:00:38 +0000] 192.0.2.3 arn:aws:sts::123456789012:assumed-role/Admin/lee.cole@corp.example 3E57427F3EXAMPLE REST.GET.OBJECT reports/2019/q1.pdf "GET /amzn-s3-demo-bucket1/reports/2019/q1.pdf?versionId=abc HTTP/1.1" 200 - 113 113 7 6 "https://console.aws.amazon.com/" "aws-cli/2.15.0 Python/3.11.6 Linux/6.1.0 exe/x86_64.ubuntu.22 prompt/off command/s3.cp" - ${S3_HOST_ID} SigV4 ECDHE-RSA-AES128-GCM-SHA256 AuthHeader amzn-s3-demo-bucket1.s3.us-west-1.amazonaws.com TLSv1.2 arn:aws:s3:us-west-1:123456789012:accesspoint/example-AP Yes`,
      `${S3_OWNER} amzn-s3-demo-bucket1 [06/Feb/2019:00:00:38 +0000] 2001:db8::7 - 891CE47D2EXAMPLE REST.PUT.OBJECT uploads/a%20b.txt "PUT /uploads/a%20b.txt HTTP/1.1" 403 AccessDenied 243 - 4 - "-" "curl/8.5.0" - ${S3_HOST_ID} SigV4 TLS_AES_128_GCM_SHA256 QueryString amzn-s3-demo-bucket1.s3.amazonaws.com TLSv1.3 - -`,
      `${S3_OWNER} amzn-s3-demo-bucket1 [20/Nov/2026:10:00:01 +0000] 10.0.1.15 svc:s3.amazonaws.com A1206F460EXAMPLE BATCH.DELETE.OBJECT logs/old.gz - 204 - - 1024 - - "-" "-" - ${S3_HOST_ID} - - - - - -`,
    ],
  },
  {
    format: 'windows.event',
    name: 'inline/windows/events.json',
    records: [
      JSON.stringify(SYSMON_NESTED),
      JSON.stringify({ EventID: 4624, Channel: 'Security', TimeCreated: '2026-11-20T10:00:00Z', Computer: 'dc1.corp.example', LogonType: 3, TargetUserName: 'lee.cole', TargetDomainName: 'CORP', IpAddress: '10.20.1.15' }),
      JSON.stringify({ '@timestamp': '2020-09-20T17:08:27.512Z', TimeCreated: '2020-09-20T17:08:27.512Z', EventTime: '2020-09-20 17:08:27', Hostname: 'WORKSTATION5.theshire.local', SourceName: 'Microsoft-Windows-Sysmon', Channel: 'microsoft-windows-sysmon/operational', EventID: 1, Image: 'C:\\Windows\\System32\\cmd.exe', CommandLine: 'cmd.exe /c whoami', User: 'THESHIRE\\pgustavo' }),
    ],
  },
  {
    format: 'app.json',
    name: 'inline/app/app-api.jsonl',
    records: [
      JSON.stringify({ timestamp: '2026-11-20T10:00:00.250Z', method: 'GET', path: '/api/items', status: 200, latency_ms: 12, client_ip: '10.0.11.5', headers: { 'X-Forwarded-For': '198.51.100.7, 10.0.2.27', 'X-Amz-Cf-Id': 'SOX4xwn4XV6Q4rgb7XiVGOHms_BGlTAC4KyHmureZmBNrjGdRLiNIQ==', Authorization: `Bearer ${JWT}` } }),
      JSON.stringify({ ts: 1795168800123, level: 'warn', req: { method: 'POST', url: '/login?next=%2F', headers: { 'user-agent': 'curl/8.5.0', 'x-amzn-trace-id': 'Root=1-67891233-abcdef012345678912345678' } }, res: { statusCode: 401 }, id_token: JWT }),
    ],
  },
  {
    format: 'aws.cloudtrail',
    name: 'inline/cloudtrail/eventbridge.json',
    records: [
      JSON.stringify({ version: '0', id: '6a7e8feb-b491-4cf7-a9f1-bf3703467718', 'detail-type': 'AWS API Call via CloudTrail', source: 'aws.iam', account: '123456789012', time: '2026-11-20T10:00:00Z', region: 'us-east-1', resources: [], detail: CLOUDTRAIL_RECORD }),
      `2026-11-20T10:00:01.000Z ${JSON.stringify(CLOUDTRAIL_RECORD)}`,
      JSON.stringify({ Records: [CLOUDTRAIL_RECORD, { ...CLOUDTRAIL_RECORD, eventName: 'DeleteAccessKey', eventID: '11111111-2222-3333-4444-555555555556' }] }),
      JSON.stringify({ awsAccountId: '123456789012', digestStartTime: '2026-11-20T09:00:00Z', digestEndTime: '2026-11-20T10:00:00Z', digestS3Bucket: 'trail-bucket', logFiles: [] }),
    ],
  },
  {
    format: 'panw.panos',
    name: 'inline/panos/keyed.log',
    records: [
      '<14>Nov 20 10:00:01 fw01 CEF:0|Palo Alto Networks|PAN-OS|11.1.2|end|TRAFFIC|1|rt=Nov 20 2026 09:00:01 GMT deviceExternalId=013201001234 src=10.1.2.3 dst=13.224.10.5 ' +
        'cs1Label=Rule cs1=allow web\\=egress suser=corp\\\\lee.cole app=ssl spt=52114 dpt=443 proto=tcp act=allow in=1200 out=4000 start=Nov 20 2026 09:00:00 GMT reason=tcp-fin dvchost=fw01-edge',
      '<14>Nov 20 10:00:01 fw01 LEEF:1.0|Palo Alto Networks|PAN-OS Syslog Integration|11.0.3|allow|cat=TRAFFIC|ReceiveTime=2026/11/20 10:00:01|devTime=Nov 20 2026 09:00:00 GMT|src=10.1.2.3|dst=10.2.0.9|srcPort=1|dstPort=445|proto=tcp|action=allow',
      'LEEF:2.0|Palo Alto Networks|PAN-OS Syslog Integration|11.0.3|deny|^|cat=TRAFFIC^Subtype=deny^devTime=2026/11/20 10:00:00^src=10.1.2.3^dst=10.2.0.9^srcPort=1^dstPort=445^proto=tcp^action=deny^RuleName=block smb',
      JSON.stringify({ log_type: 'traffic', sub_type: 'end', time_generated: '2026-11-20T09:00:00.250000Z', source_ip: '10.1.2.3', dest_ip: '13.224.10.5', source_port: 52114, dest_port: 443, action: 'allow', protocol: 'tcp', bytes_total: 5200, source_user: 'lee.cole@corp.example' }),
      JSON.stringify({ log_type: { value: 'url' }, time_generated: 1795165200, source_ip: '10.1.2.3', dest_ip: '198.51.100.8', url_domain: 'www.example.com', uri: '/login?next=/', action: 'block-url', http_method: 'post' }),
    ],
  },
  {
    format: 'zscaler.zia',
    name: 'inline/zscaler/web-kv.log',
    records: [
      Object.entries(ZSCALER_WEB).map(([k, v]) => `${k}=${v}`).join('\t'),
      Object.entries(ZSCALER_WEB).map(([k, v]) => `${k}="${v}"`).join(' '),
      `<13>Oct 16 22:55:48 nss ${JSON.stringify({ sourcetype: 'zscalernss-web', event: ZSCALER_WEB })}`,
    ],
  },
  {
    format: 'aws.cloudfront',
    name: 'inline/cloudfront/realtime.log',
    records: [
      // AWS's canonical real-time order, all 45 fields.
      [
        '1763633701.123', '2001:db8::7', '0.002', '403', '512', 'POST', 'https', 'd1abcdexample.cloudfront.net', '/login', '900', 'IAD89-C2', 'RtReqId0001==',
        'app.example.com', '0.004', 'HTTP/1.1', 'IPv6', 'curl/8.5.0', '-', 'session=abc', 'next=%2F', 'Error', '198.51.100.7', 'TLSv1.3', 'TLS_AES_128_GCM_SHA256',
        'Error', '-', '-', 'text/html', '512', '-', '-', '64496', 'Error', 'US', 'gzip', '*/*', '*', 'Host:app.example.com%0A', 'Host', '1', 'E2EXAMPLE',
        'd1abcdexample.cloudfront.net', '0.001', '0.002', '64496',
      ].join('\t'),
      JSON.stringify({ date: '2026-11-20', time: '10:00:00', 'x-edge-location': 'CDG50-C1', 'c-ip': '192.0.2.43', 'cs-method': 'GET', 'cs-uri-stem': '/api/me', 'sc-status': 200, 'x-edge-request-id': 'iZTm2ypgv4j4DCEhNppACGSqc2rtme6P8vGC4apINJ6omMcLILG6lC==', 'cs(User-Agent)': 'curl/8.5.0' }),
    ],
  },
  {
    format: 'aws.vpcflow',
    name: 'inline/vpcflow/json.log',
    records: [
      '{"message":"2 123456789012 eni-0c 10.0.0.1 10.0.0.2 1 2 17 1 1 1763798400 1763798460 ACCEPT OK","@timestamp":"2025-11-22T08:01:00Z"}',
      JSON.stringify({ version: 5, 'account-id': '123456789012', 'interface-id': 'eni-0c', srcaddr: '10.0.0.1', dstaddr: '10.0.0.2', srcport: 443, dstport: 50000, protocol: 6, packets: 10, bytes: 5000, start: 1763798400, end: 1763798460, action: 'ACCEPT', 'log-status': 'OK', 'flow-direction': 'egress' }),
    ],
  },
];

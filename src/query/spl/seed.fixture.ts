/**
 * One web request followed across six sources (the "follow the packet" seed): lee.cole on
 * WKS-042 (10.20.1.15) opens https://app.example.com through Zscaler, egresses the Palo Alto
 * firewall as 198.51.100.10 and is served by CloudFront in FRA56-P3 and the app behind it.
 * Built from the format tests' record layouts; ingest recognizes each file's format.
 */
import { csvRecord } from '../../formats/panos/lines.fixture.js';
import { THREAT_FIELDS, TRAFFIC_FIELDS } from '../../formats/panos/fields-network.js';

export interface SeedFile {
  format: string;
  /** A file name the format reads its log type from (Umbrella: dnslogs/ in the path). */
  name: string;
  text: string;
}

const csv = (...cells: string[]): string => cells.map((c) => `"${c.replace(/"/g, '""')}"`).join(',');

const DEFENDER = JSON.stringify({
  time: '2026-11-20T10:00:02Z', tenantId: 'tenant-1', operationName: 'Publish', category: 'AdvancedHunting-DeviceNetworkEvents',
  properties: {
    DeviceId: 'dev-1', DeviceName: 'WKS-042.corp.example', ReportId: 4711, Timestamp: '2026-11-20T10:00:01Z', ActionType: 'ConnectionSuccess',
    InitiatingProcessFileName: 'chrome.exe', InitiatingProcessAccountDomain: 'corp', InitiatingProcessAccountName: 'lee.cole',
    InitiatingProcessAccountUpn: 'Lee.Cole@corp.example', LocalIP: '10.20.1.15', LocalPort: 52311, RemoteIP: '13.224.10.1',
    RemotePort: 443, RemoteUrl: 'https://app.example.com/', Protocol: 'TcpV4',
  },
});

const UMBRELLA_DNS = csv('2026-11-20 10:00:00', 'lee.cole@corp.example', 'lee.cole@corp.example,WKS-042', '10.20.1.15', '198.51.100.10',
  'Allowed', '1 (A)', 'NOERROR', 'app.example.com.', 'Business Services');

const ZSCALER_WEB = JSON.stringify({
  sourcetype: 'zscalernss-web',
  event: {
    time: 'Fri Nov 20 10:00:03 2026', tz: 'GMT', login: 'lee.cole%40corp.example', dept: 'Sales', location: 'HQ',
    cltintip: '10.20.1.15', cltpubip: '198.51.100.10', sip: '13.224.10.1', eurl: 'app.example.com/', host: 'app.example.com',
    proto: 'HTTPS', reqmethod: 'GET', respcode: '200', reqsize: '100', respsize: '2000', action: 'Allowed', urlcat: 'Business',
    ssldecrypted: 'Yes', appname: 'General Browsing', ua: 'Mozilla/5.0 Chrome/120.0',
  },
});

const PANOS_TRAFFIC = csvRecord(TRAFFIC_FIELDS, {
  receive_time: '2026/11/20 10:00:05', serial: '0123456789', type: 'TRAFFIC', subtype: 'end', time_generated: '2026/11/20 10:00:04',
  src: '10.20.1.15', dst: '13.224.10.1', natsrc: '198.51.100.10', natdst: '13.224.10.1', rule: 'allow-web', srcuser: 'corp\\lee.cole',
  app: 'ssl', from: 'trust', to: 'untrust', sessionid: 4242, sport: 52311, dport: 443, natsport: 40001, natdport: 443, proto: 'tcp',
  action: 'allow', bytes: 5000, bytes_sent: 1000, bytes_received: 4000, packets: 20,
});

const PANOS_URL = csvRecord(THREAT_FIELDS, {
  receive_time: '2026/11/20 10:00:05', serial: '0123456789', type: 'THREAT', subtype: 'url', time_generated: '2026/11/20 10:00:04',
  src: '10.20.1.15', dst: '13.224.10.1', natsrc: '198.51.100.10', natdst: '13.224.10.1', rule: 'allow-web', srcuser: 'corp\\lee.cole',
  app: 'web-browsing', from: 'trust', to: 'untrust', sessionid: 4243, sport: 52312, dport: 443, natsport: 40002, natdport: 443, proto: 'tcp',
  action: 'alert', misc: 'https://app.example.com/', threatid: '(9999)', category: 'business-and-economy', severity: 'informational',
  direction: 'client-to-server',
});

const CF_HEADER = '#Version: 1.0\n#Fields: date time x-edge-location sc-bytes c-ip cs-method cs(Host) cs-uri-stem sc-status cs(Referer) cs(User-Agent) cs-uri-query cs(Cookie) x-edge-result-type x-edge-request-id x-host-header cs-protocol cs-bytes time-taken x-forwarded-for ssl-protocol ssl-cipher x-edge-response-result-type cs-protocol-version fle-status fle-encrypted-fields c-port time-to-first-byte x-edge-detailed-result-type sc-content-type sc-content-len sc-range-start sc-range-end';
const cf = (time: string, path: string, result: string, id: string) =>
  `2026-11-20\t${time}\tFRA56-P3\t2048\t198.51.100.10\tGET\td123.cloudfront.net\t${path}\t200\t-\tMozilla/5.0%20Chrome/120.0\t-\t-\t${result}\t${id}\tapp.example.com\thttps\t120\t0.002\t-\tTLSv1.3\tTLS_AES_128_GCM_SHA256\t${result}\tHTTP/2.0\t-\t-\t40001\t0.001\t${result}\ttext/html\t1800\t-\t-`;
const CLOUDFRONT = `${CF_HEADER}\n${cf('10:00:06', '/', 'Miss', 'req-1==')}\n${cf('10:00:09', '/', 'Hit', 'req-2==')}\n${cf('10:00:10', '/login', 'Hit', 'req-3==')}`;

const APP = [
  { time: '2026-11-20T10:00:07Z', level: 'info', method: 'GET', url: 'https://app.example.com/', status: 200, client_ip: '198.51.100.10', user: 'lee.cole@corp.example', 'x-amz-cf-id': 'req-1==' },
  { time: '2026-11-20T10:00:08Z', level: 'info', method: 'GET', url: 'https://other.example.net/', status: 200, client_ip: '203.0.113.7', user: 'someone@corp.example' },
].map((r) => JSON.stringify(r)).join('\n');

export const SEED_FILES: SeedFile[] = [
  { format: 'microsoft.defender', name: 'defender.json', text: DEFENDER },
  { format: 'cisco.umbrella', name: 'dnslogs/2026-11-20-10-00-a1b2.csv', text: UMBRELLA_DNS },
  { format: 'zscaler.zia', name: 'zscaler-web.json', text: ZSCALER_WEB },
  { format: 'panw.panos', name: 'panos.log', text: `${PANOS_TRAFFIC}\n${PANOS_URL}` },
  { format: 'aws.cloudfront', name: 'E2EXAMPLE.2026-11-20-10.abcd1234', text: CLOUDFRONT },
  { format: 'app.json', name: 'app.log', text: APP },
];

/** The SPL of ../shared/seeds/000_*.txt, verbatim. */
export const SEED_SPL = `(index=defender OR index=umbrella OR index=zscaler OR index=panfw OR index=cloudfront OR index=app)
| eval user=coalesce(UserPrincipalName, user, src_user)
| search url="https://app.example.com" OR domain="app.example.com"
| stats earliest(_time) as first latest(_time) as last values(user) values(src_ip) values(nat_src_ip) values(edge_location) values(cache_status) values(appid) values(action) by url`;

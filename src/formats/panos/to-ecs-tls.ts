import type { EcsObject } from '../../ecs/event.js';
import { splitDomain } from '../../ecs/domain.js';
import { F, type Rec } from './layouts.js';
import { copy } from './copy.js';
import type { Draft } from './to-ecs.js';
import { str } from './read.js';
import { parsePanTime } from './time.js';
import { parseZone } from '../../ecs/timezone.js';

const UTC = parseZone('UTC');
const TLS_VERSION = /^(TLS|SSL)\s*v?(\d(?:\.\d)?)$/i;

/** DECRYPTION: handshake details to `tls.*`, the SNI to `tls.client.server_name` and `destination.domain`. */
export function mapDecryption(r: Rec, d: Draft, cls: 'allowed' | 'denied' | undefined): void {
  const { out, event, panos } = d;
  event.category = ['network'];
  event.type = cls ? ['connection', cls] : ['connection'];
  const tls: EcsObject = {};
  const version = str(r, F.tls_version);
  if (version) {
    const m = TLS_VERSION.exec(version.replace('_', '.'));
    if (m) {
      tls.version_protocol = m[1]!.toLowerCase();
      tls.version = m[2]!.includes('.') ? m[2]! : `${m[2]}.0`;
    } else tls.version = version;
  }
  const curve = str(r, F.ec_curve);
  if (curve) tls.curve = curve;
  const sni = str(r, F.sni);
  if (sni) {
    tls.client = { server_name: sni };
    const dd = splitDomain(sni);
    if (dd) (out.destination as EcsObject).domain = dd.domain;
  }
  const x509: EcsObject = {};
  const cn = str(r, F.cn);
  if (cn) x509.subject = { common_name: [cn] };
  const issuer = str(r, F.issuer_cn);
  if (issuer) x509.issuer = { common_name: [issuer] };
  const serial = str(r, F.cert_serial);
  if (serial) x509.serial_number = serial;
  const ver = str(r, F.cert_ver);
  if (ver) x509.version_number = ver;
  // Certificate validity is logged in GMT, whatever the device's zone.
  const nb = str(r, F.notbefore);
  const nbMs = nb === undefined ? undefined : parsePanTime(nb, UTC);
  if (nbMs !== undefined) x509.not_before = new Date(nbMs).toISOString();
  const na = str(r, F.notafter);
  const naMs = na === undefined ? undefined : parsePanTime(na, UTC);
  if (naMs !== undefined) x509.not_after = new Date(naMs).toISOString();
  const server: EcsObject = {};
  if (Object.keys(x509).length) server.x509 = x509;
  const fp = str(r, F.fingerprint)?.replace(/:/g, '').toLowerCase();
  if (fp && /^[0-9a-f]{40}$/.test(fp)) server.hash = { sha1: fp.toUpperCase() };
  else if (fp && /^[0-9a-f]{64}$/.test(fp)) server.hash = { sha256: fp.toUpperCase() };
  if (Object.keys(server).length) tls.server = server;
  if (Object.keys(tls).length) out.tls = tls;
  const error = str(r, F.error);
  if (error) {
    event.reason = error;
    out.error = { message: error };
  }
  const t: EcsObject = {};
  copy(r, t, TLS_VENDOR);
  if (Object.keys(t).length) panos.tls = t;
}

const TLS_VENDOR: [number, string][] = [
  [F.tls_keyxchg, 'key_exchange'],
  [F.tls_enc, 'encryption'],
  [F.tls_auth, 'auth'],
  [F.hs_stage_c2f, 'handshake_stage_client'],
  [F.hs_stage_f2s, 'handshake_stage_server'],
  [F.policy_name, 'decryption_profile'],
  [F.err_index, 'error_index'],
  [F.root_status, 'root_status'],
  [F.chain_status, 'chain_status'],
  [F.proxy_type, 'proxy_type'],
  [F.root_cn, 'root_cn'],
  [F.cert_size, 'cert_size'],
  [F.cert_flags, 'cert_flags'],
];

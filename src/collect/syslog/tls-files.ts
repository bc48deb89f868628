import { readFileSync } from 'node:fs';
import { createSecureContext } from 'node:tls';

export type TlsFileKey = 'cert' | 'key' | 'ca';

const CERTIFICATE = /-----BEGIN CERTIFICATE-----/;
const PRIVATE_KEY = /-----BEGIN (?:RSA |EC |ENCRYPTED )?PRIVATE KEY-----/;

/**
 * What is wrong with a TLS listener's certificate, key and CA files, each problem under the
 * setting that names the file: unreadable, not the PEM it should be (a certificate given as the key
 * and the key as the certificate are called swapped), or a key that does not belong to the
 * certificate, as Node's TLS (OpenSSL) will judge them when the listener starts.
 */
export function tlsFileProblems(files: { cert: string; key: string; ca?: string | undefined }): { key: TlsFileKey; message: string }[] {
  const problems: { key: TlsFileKey; message: string }[] = [];
  const texts: Partial<Record<TlsFileKey, string>> = {};
  for (const key of ['cert', 'key', 'ca'] as const) {
    const path = files[key];
    if (path === undefined) continue;
    try {
      texts[key] = readFileSync(path, 'latin1');
    } catch (e) {
      problems.push({ key, message: `cannot read ${path}: ${(e as Error).message}` });
    }
  }
  const { cert, key, ca } = texts;
  if (cert !== undefined && key !== undefined && !CERTIFICATE.test(cert) && PRIVATE_KEY.test(cert) && CERTIFICATE.test(key)) {
    problems.push({ key: 'cert', message: `cert and key are swapped: ${files.cert} holds a private key and ${files.key} a certificate` });
    return problems;
  }
  if (cert !== undefined && !CERTIFICATE.test(cert)) problems.push({ key: 'cert', message: `${files.cert} holds no PEM certificate (-----BEGIN CERTIFICATE-----)${PRIVATE_KEY.test(cert) ? ': it is a private key' : ''}` });
  if (key !== undefined && !PRIVATE_KEY.test(key)) problems.push({ key: 'key', message: `${files.key} holds no PEM private key (-----BEGIN PRIVATE KEY-----)${CERTIFICATE.test(key) ? ': it is a certificate' : ''}` });
  if (ca !== undefined && !CERTIFICATE.test(ca)) problems.push({ key: 'ca', message: `${files.ca} holds no PEM certificate (-----BEGIN CERTIFICATE-----)` });
  if (problems.length || cert === undefined || key === undefined) return problems;
  try {
    createSecureContext({ cert, key, ...(ca !== undefined ? { ca } : {}) });
  } catch (e) {
    const reason = (e as Error).message;
    const message = /key values mismatch/i.test(reason)
      ? `the private key in ${files.key} does not belong to the certificate in ${files.cert}`
      : `${files.cert} / ${files.key}${files.ca ? ` / ${files.ca}` : ''} cannot be used for TLS: ${reason}`;
    problems.push({ key: /key values mismatch/i.test(reason) ? 'key' : 'cert', message });
  }
  return problems;
}

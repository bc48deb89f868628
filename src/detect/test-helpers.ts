/** A CloudFront standard log (header + one request per row) for detection tests. */
export const CLOUDFRONT_FIELDS = 'date time x-edge-location sc-bytes c-ip cs-method cs(Host) cs-uri-stem sc-status cs(Referer) cs(User-Agent) cs-uri-query cs(Cookie) x-edge-result-type x-edge-request-id x-host-header cs-protocol cs-bytes time-taken x-forwarded-for ssl-protocol ssl-cipher x-edge-response-result-type cs-protocol-version fle-status fle-encrypted-fields c-port time-to-first-byte x-edge-detailed-result-type sc-content-type sc-content-len sc-range-start sc-range-end';
export function cloudfrontLog(rows: [time: string, ip: string, host: string][]): string {
  const lines = rows.map(([time, ip, host], i) =>
    ['2026-11-20', time, 'FRA56-P3', '512', ip, 'GET', 'd111111abcdef8.cloudfront.net', '/login', '200', '-', 'curl/8.5.0', '-', '-', 'Miss', `req${i}==`, host, 'https', '300', '0.010', '-', 'TLSv1.3', 'TLS_AES_128_GCM_SHA256', 'Miss', 'HTTP/2.0', '-', '-', '40000', '0.010', 'Miss', 'text/html', '300', '-', '-'].join('\t'),
  );
  return ['#Version: 1.0', `#Fields: ${CLOUDFRONT_FIELDS}`, ...lines].join('\n') + '\n';
}

import { parquetOf } from './parquet.js';

/**
 * VPC flow log records as AWS delivers them to S3 in Parquet (`…_vpcflowlogs_….log.parquet`): one
 * column per field of the default format, underscore names, integer columns typed. Record `i` is a
 * TCP flow from 10.0.1.(i % 250) port 40000 + i to 10.0.2.10:443, accepted unless i % 10 === 0.
 */
export function vpcFlowParquet(rows: number, startEpoch = 1763798400): Buffer {
  return parquetOf(rows, [
    ['version', () => 2, 'INT32'],
    ['account_id', () => '123456789012'],
    ['interface_id', () => 'eni-0a1b2c3d4e5f67890'],
    ['srcaddr', (i) => `10.0.1.${i % 250}`],
    ['dstaddr', () => '10.0.2.10'],
    ['srcport', (i) => 40000 + (i % 20000), 'INT32'],
    ['dstport', () => 443, 'INT32'],
    ['protocol', () => 6, 'INT32'],
    ['packets', (i) => BigInt(1 + (i % 7)), 'INT64'],
    ['bytes', (i) => BigInt(60 * (1 + (i % 7))), 'INT64'],
    ['start', (i) => BigInt(startEpoch + i), 'INT64'],
    ['end', (i) => BigInt(startEpoch + i + 60), 'INT64'],
    ['action', (i) => (i % 10 === 0 ? 'REJECT' : 'ACCEPT')],
    ['log_status', () => 'OK'],
  ]);
}

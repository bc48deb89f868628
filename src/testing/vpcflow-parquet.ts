import { parquetWriteBuffer } from 'hyparquet-writer';

/**
 * VPC flow log records as AWS delivers them to S3 in Parquet (`…_vpcflowlogs_…​.log.parquet`): one
 * column per field of the default format, underscore names, integer columns typed. Record `i` is a
 * TCP flow from 10.0.1.(i % 250) port 40000 + i to 10.0.2.10:443, accepted unless i % 10 === 0.
 */
export function vpcFlowParquet(rows: number, startEpoch = 1763798400): Buffer {
  const col = (name: string, f: (i: number) => string | number | bigint, type = 'STRING') => ({ name, data: Array.from({ length: rows }, (_, i) => f(i)), type });
  return Buffer.from(
    parquetWriteBuffer({
      columnData: [
        col('version', () => 2, 'INT32'),
        col('account_id', () => '123456789012'),
        col('interface_id', () => 'eni-0a1b2c3d4e5f67890'),
        col('srcaddr', (i) => `10.0.1.${i % 250}`),
        col('dstaddr', () => '10.0.2.10'),
        col('srcport', (i) => 40000 + (i % 20000), 'INT32'),
        col('dstport', () => 443, 'INT32'),
        col('protocol', () => 6, 'INT32'),
        col('packets', (i) => BigInt(1 + (i % 7)), 'INT64'),
        col('bytes', (i) => BigInt(60 * (1 + (i % 7))), 'INT64'),
        col('start', (i) => BigInt(startEpoch + i), 'INT64'),
        col('end', (i) => BigInt(startEpoch + i + 60), 'INT64'),
        col('action', (i) => (i % 10 === 0 ? 'REJECT' : 'ACCEPT')),
        col('log_status', () => 'OK'),
      ] as never,
    }),
  );
}

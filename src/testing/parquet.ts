import { parquetWriteBuffer } from 'hyparquet-writer';

/** One Parquet column for a test file: its name, its value for row `i`, its Parquet type. */
export type ParquetColumn = [name: string, value: (i: number) => string | number | bigint, type?: string];

/** A Parquet file of `rows` rows with these columns (STRING unless a type is given). */
export function parquetOf(rows: number, columns: ParquetColumn[]): Buffer {
  const columnData = columns.map(([name, value, type = 'STRING']) => ({ name, data: Array.from({ length: rows }, (_, i) => value(i)), type }));
  return Buffer.from(parquetWriteBuffer({ columnData } as never));
}

/**
 * A test child: `packettrail ingest`'s own ingest() into the store given, in small batches so that a
 * kill -9 lands between loads of one file (the CLI loads 250,000 rows at a time). argv: store, input, dead-letter path.
 */
import { ingest } from '../pipeline/ingest.js';

const [db, input, deadLetterPath] = process.argv.slice(2);
/** Rows per load: a file of tens of thousands of lines takes many loads. */
const CRASH_TEST_BATCH_ROWS = 2000;
await ingest({ inputs: [input!], db: db!, format: 'auto', threads: 0, deadLetterPath: deadLetterPath!, analyses: false, storeBatchRows: CRASH_TEST_BATCH_ROWS });

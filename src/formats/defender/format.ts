import type { Format } from '../format.js';
import { DefenderParser } from './parser.js';
import { detectDefender } from './detect.js';
import { DATASET } from './to-ecs.js';
import { DEFENDER_FIELDS as fields } from './fields.js';

export const defender: Format = {
  id: DATASET,
  title: 'Microsoft Defender advanced hunting (streaming API and exported rows)',
  description:
    'Advanced-hunting records as the Defender streaming API delivers them to Event Hubs or a storage account ' +
    '({"time","tenantId","category":"AdvancedHunting-<Table>","properties":{…}}, one per line or in {"records":[…]} batches, ' +
    'compact or pretty-printed) and plain table rows exported from the portal or the API (one per line, a JSON array, or ' +
    'an API response with Results). The table comes from the category, a Table/$table/Type column, the file name or the ' +
    'columns. Device*, Alert*, Identity*, Email* and CloudApp* tables are mapped; @timestamp is the row Timestamp. Inbound ' +
    'connections put the remote side in source; a column value of the wrong kind is left out and noted (tags: _field_dropped).',
  framing: 'json-or-lines',
  detect: detectDefender,
  createParser: (ctx) => new DefenderParser(ctx),
  fields,
};

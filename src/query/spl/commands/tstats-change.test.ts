import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { DuckDbStore } from '../../../store/duckdb/duckdb-store.js';
import { demoStore, splRows, sqlRows } from '../demo-store.fixture.js';

/*
 * tstats over the CIM Change data model on the demo store's CloudTrail events, against hand-written
 * SQL that selects what Splunk_TA_aws's eventtypes tag `change` (splunk-fields.md §3.1): Create*,
 * ListRoles/ListAliases/PutBucketAcl/GetBucketEncryption; non-read volume/bucket/object/endpoint
 * calls; IAM writes, and IAM list/get calls denied; Delete/Remove/Reboot in the record; non-read
 * network calls; the EC2 instance calls.
 */
let store: DuckDbStore;
before(async () => {
  store = await demoStore();
});
after(async () => store?.close());

const READ = `regexp_matches(event_action, '^(Describe|Get|List|Head)')`;
const CHANGE = `event_dataset = 'aws.cloudtrail' AND (
  event_action LIKE 'Create%' OR event_action IN ('ListRoles', 'ListAliases', 'PutBucketAcl', 'GetBucketEncryption')
  OR (regexp_matches(lower(event_action), 'volume|bucket|object|endpoint') AND NOT ${READ})
  OR (event_provider LIKE '%iam%' AND NOT ${READ})
  OR (event_provider LIKE '%iam%' AND regexp_matches(event_action, '^(Get|List)') AND aws_cloudtrail_error_code LIKE 'AccessDenied%')
  OR regexp_matches(lower(concat_ws(' ', event_action, aws_cloudtrail_error_message, user_agent_original, aws_cloudtrail_user_identity_arn, CAST(aws_cloudtrail_request_parameters AS VARCHAR), CAST(aws_cloudtrail_response_elements AS VARCHAR), CAST(aws_cloudtrail_resources AS VARCHAR))), 'delete|remove|reboot')
  OR (regexp_matches(lower(event_action), 'address|gateway|acl|interface|security|route|subnet|vpc') AND NOT ${READ})
  OR event_action IN ('RunInstances', 'StartInstances', 'StopInstances', 'TerminateInstances', 'RebootInstances', 'ModifyInstanceAttribute'))`;

test('tstats over Change: the CloudTrail calls Splunk_TA_aws tags change, by command, with the CIM status', async () => {
  const expected = await sqlRows(
    store,
    `SELECT event_action AS "All_Changes.command", CASE WHEN aws_cloudtrail_error_code IS NULL THEN 'success' ELSE 'failure' END AS "All_Changes.status", count(*) AS count
     FROM events WHERE ${CHANGE} GROUP BY 1, 2 ORDER BY 1, 2`,
  );
  const { rows, warnings } = await splRows(store, '| tstats count from datamodel=Change by All_Changes.command All_Changes.status');
  assert.deepEqual(rows, expected);
  assert.deepEqual(warnings, []);
  // The story's changes are there; its reads (DescribeTrails, GetCallerIdentity) and other services' calls are not.
  const commands = rows.map((r) => r['All_Changes.command']);
  for (const c of ['RunInstances', 'AuthorizeSecurityGroupIngress', 'CreateAccessKey', 'DeleteTrail', 'PutBucketReplication', 'ListUsers']) assert.ok(commands.includes(c), c);
  for (const c of ['DescribeTrails', 'GetCallerIdentity', 'ConsoleLogin', 'StopLogging']) assert.ok(!commands.includes(c), c);
});

test('tstats over Change: account management by action, instance changes with their image and type (null outside Instance_Changes)', async () => {
  const iamWrites = await sqlRows(
    store,
    `SELECT event_action AS "All_Changes.command", count(*) AS count FROM events
     WHERE event_dataset = 'aws.cloudtrail' AND event_provider = 'iam.amazonaws.com' AND event_action LIKE 'Create%' GROUP BY 1 ORDER BY 1`,
  );
  assert.deepEqual((await splRows(store, '| tstats count from datamodel=Change.All_Changes.Account_Management.Accounts_Created by All_Changes.command')).rows, iamWrites);
  // The instance: its image and type from requestParameters, its id from responseElements, in its region.
  assert.deepEqual(
    (await splRows(store, '| tstats count values(All_Changes.object_id) as dest from datamodel=Change where All_Changes.action=created by All_Changes.Instance_Changes.image_id All_Changes.Instance_Changes.instance_type All_Changes.user All_Changes.vendor_region')).rows,
    await sqlRows(
      store,
      `SELECT json_extract_string(aws_cloudtrail_request_parameters, '$.instancesSet.items[0].imageId') AS "All_Changes.Instance_Changes.image_id", json_extract_string(aws_cloudtrail_request_parameters, '$.instanceType') AS "All_Changes.Instance_Changes.instance_type",
        aws_cloudtrail_user_identity_user_name AS "All_Changes.user", cloud_region AS "All_Changes.vendor_region", count(*) AS count, list(json_extract_string(aws_cloudtrail_response_elements, '$.instancesSet.items[0].instanceId')) AS dest
       FROM events WHERE event_dataset = 'aws.cloudtrail' AND event_action = 'RunInstances' GROUP BY ALL`,
    ),
  );
  // Other created things (an access key, a snapshot) are not instance changes: no image_id, so not counted by it.
  const created = await sqlRows(store, `SELECT count(*) AS n FROM events WHERE ${CHANGE} AND (event_action LIKE 'Create%' OR event_action LIKE 'Run%')`);
  assert.ok(Number(created[0]!.n) > 1);
  // The security group opened: object_category security_group, action modified.
  assert.deepEqual(
    (await splRows(store, '| tstats dc(All_Changes.object) as groups values(All_Changes.action) as action from datamodel=Change where All_Changes.object_category=security_group by All_Changes.user All_Changes.command')).rows,
    [{ 'All_Changes.user': 'ops-admin', 'All_Changes.command': 'AuthorizeSecurityGroupIngress', groups: 1, action: ['modified'] }],
  );
  // nodename: the datasets each change belongs to.
  const nodes = (await splRows(store, '| tstats count from datamodel=Change where All_Changes.command=RunInstances by nodename')).rows.map((r) => r.nodename);
  assert.deepEqual(nodes, ['All_Changes', 'All_Changes.Instance_Changes']);
});

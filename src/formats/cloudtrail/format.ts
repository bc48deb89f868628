import type { Format, FieldSpec } from '../format.js';
import { CloudTrailParser } from './parser.js';
import { detectCloudTrail } from './detect.js';
import { DATASET } from './to-ecs.js';
import { FIELD_ERROR_FIELDS } from '../shared/field-errors.js';

const fields: FieldSpec[] = (
  [
    ['user.roles', 'keyword[]', 'The assumed IAM role of an AssumedRole session.'],
    ['tls.client.server_name', 'keyword', 'tlsDetails.clientProvidedHostHeader: the service endpoint called.'],
    ['aws.cloudtrail.event_version', 'keyword'],
    ['aws.cloudtrail.event_type', 'keyword', 'AwsApiCall, AwsServiceEvent, AwsConsoleSignIn, AwsConsoleAction, AwsCloudTrailInsight.'],
    ['aws.cloudtrail.event_category', 'keyword', 'Management, Data, Insight, NetworkActivity.'],
    ['aws.cloudtrail.event_id', 'keyword'],
    ['aws.cloudtrail.request_id', 'keyword', 'For S3 data events: the S3 request id (joins the S3 access log).'],
    ['aws.cloudtrail.error_code', 'keyword'],
    ['aws.cloudtrail.error_message', 'text'],
    ['aws.cloudtrail.api_version', 'keyword'],
    ['aws.cloudtrail.recipient_account_id', 'keyword'],
    ['aws.cloudtrail.shared_event_id', 'keyword'],
    ['aws.cloudtrail.vpc_endpoint_id', 'keyword'],
    ['aws.cloudtrail.vpc_endpoint_account_id', 'keyword'],
    ['aws.cloudtrail.source_ip_address', 'keyword', 'sourceIPAddress as written (IP, comma list, service name, AWS Internal).'],
    ['aws.cloudtrail.read_only', 'boolean'],
    ['aws.cloudtrail.management_event', 'boolean'],
    ['aws.cloudtrail.session_credential_from_console', 'boolean'],
    ['aws.cloudtrail.request_parameters', 'json'],
    ['aws.cloudtrail.response_elements', 'json'],
    ['aws.cloudtrail.additional_eventdata', 'json'],
    ['aws.cloudtrail.service_event_details', 'json'],
    ['aws.cloudtrail.resources', 'json', 'resources[]: ARN, accountId, type.'],
    ['aws.cloudtrail.insight_details', 'json', 'Insights events: state, insightType, insightContext.'],
    ['aws.cloudtrail.edge_device_details', 'json'],
    ['aws.cloudtrail.addendum', 'json'],
    ['aws.cloudtrail.console_login.mfa_used', 'boolean'],
    ['aws.cloudtrail.console_login.login_to', 'keyword'],
    ['aws.cloudtrail.console_login.mobile_version', 'boolean'],
    ['aws.cloudtrail.user_identity.type', 'keyword', 'Root, IAMUser, AssumedRole, FederatedUser, AWSService, AWSAccount, SAMLUser, WebIdentityUser, IdentityCenterUser.'],
    ['aws.cloudtrail.user_identity.arn', 'keyword'],
    ['aws.cloudtrail.user_identity.access_key_id', 'keyword'],
    ['aws.cloudtrail.user_identity.account_id', 'keyword'],
    ['aws.cloudtrail.user_identity.invoked_by', 'keyword'],
    ['aws.cloudtrail.user_identity.identity_provider', 'keyword'],
    ['aws.cloudtrail.user_identity.credential_id', 'keyword'],
    ['aws.cloudtrail.user_identity.on_behalf_of.user_id', 'keyword'],
    ['aws.cloudtrail.user_identity.on_behalf_of.identity_store_arn', 'keyword'],
    ['aws.cloudtrail.user_identity.session_context.mfa_authenticated', 'boolean'],
    ['aws.cloudtrail.user_identity.session_context.creation_date', 'keyword'],
    ['aws.cloudtrail.user_identity.session_context.source_identity', 'keyword'],
    ['aws.cloudtrail.user_identity.session_context.session_issuer.type', 'keyword'],
    ['aws.cloudtrail.user_identity.session_context.session_issuer.principal_id', 'keyword'],
    ['aws.cloudtrail.user_identity.session_context.session_issuer.arn', 'keyword'],
    ['aws.cloudtrail.user_identity.session_context.session_issuer.account_id', 'keyword'],
    ['aws.cloudtrail.user_identity.session_context.session_issuer.user_name', 'keyword'],
    ['aws.cloudtrail.user_identity.session_context.web_id_federation_data.federated_provider', 'keyword'],
    ['aws.cloudtrail.user_identity.session_context.ec2_role_delivery', 'keyword'],
    // Set by the CloudWatch Logs envelope when the trail is read from a log-group subscription.
    ['aws.cloudwatch.log_group', 'keyword'],
    ['aws.cloudwatch.log_stream', 'keyword'],
  ] as const
).map(([path, type, description]) => ({ path, type, description }) as FieldSpec).concat(FIELD_ERROR_FIELDS);

export const cloudtrail: Format = {
  id: DATASET,
  title: 'AWS CloudTrail',
  description:
    'CloudTrail log files as delivered to S3 ({"Records":[…]}, one line or pretty-printed), one record per line, ' +
    'EventBridge events ("AWS API Call via CloudTrail" …), records forwarded through CloudWatch Logs / Firehose ' +
    '(envelopes are unwrapped automatically), records re-shipped by Logstash or Beats (eventTime renamed @timestamp) and ' +
    'CloudTrail Insights events. Digest files are recognized and skipped.',
  framing: 'json-or-lines',
  detect: detectCloudTrail,
  createParser: (ctx) => new CloudTrailParser(ctx),
  fields,
};

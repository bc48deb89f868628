import type { EcsEvent } from '../../ecs/event.js';
import { Rec, applyAction, applyCopies, applyUser, endpoint, networkType, type Copy, put } from './rec.js';
import { loggedUrl } from './map-web.js';

/**
 * Tunnel, admin audit, CASB and other feeds: fields with an obvious ECS home are mapped by name,
 * everything else is kept under `zscaler.<feed>.*` by the caller.
 */
export function mapGeneric(event: EcsEvent, rec: Rec): void {
  applyAction(event, rec.get('action', 'event', 'eventtype'));
  const result = rec.get('result', 'status')?.toLowerCase();
  if (result === 'success' || result === 'succeeded') event.event!.outcome = 'success';
  else if (result === 'failure' || result === 'failed' || result === 'fail') event.event!.outcome = 'failure';
  applyUser(event, rec, 'login', 'adminid', 'user', 'username', 'owner');
  endpoint(event, 'source', rec.ip('sourceip', 'srcip', 'clientip', 'cltip', 'cip', 'csip'), rec.port('sourceport', 'srcport', 'csport'));
  endpoint(event, 'destination', rec.ip('destinationip', 'dstip', 'destip', 'serverip', 'sip', 'cdip'), rec.port('destinationport', 'dstport', 'cdport'));
  const reason = rec.get('eventreason', 'reason', 'errorcode');
  if (reason) put(event, 'event.reason', reason);
  // CASB and other feeds log the URL (`url`, CASB `fullurl`) as written: kept as the original, with
  // a scheme only when it carries one.
  const url = rec.get('url');
  if (url) event.url = loggedUrl(url, undefined);
  applyCopies(event, rec, GENERIC_COPIES);
  networkType(event);
}

const GENERIC_COPIES: readonly Copy[] = [
  [['txbytes'], 'source.bytes', 'long'],
  [['rxbytes'], 'destination.bytes', 'long'],
  [['location', 'locationname'], 'zscaler.location'],
  [['department', 'dept'], 'zscaler.department'],
  [['filename'], 'file.name'],
  [['filemd5', 'md5'], 'file.hash.md5', 'lower'],
  [['filesha', 'sha256'], 'file.hash.sha256', 'lower'],
  [['rulelabel', 'policy'], 'rule.name'],
  [['recordid'], 'zscaler.record_id'],
  [['company'], 'organization.name'],
  [['devicehostname'], 'host.name'],
];

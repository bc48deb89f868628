import type { Format } from './format.js';
import { cloudfront } from './cloudfront/index.js';
import { vpcflow } from './vpcflow/index.js';
import { cloudtrail } from './cloudtrail/index.js';
import { alb } from './alb/index.js';
import { defender } from './defender/index.js';
import { s3access } from './s3access/index.js';
import { umbrella } from './umbrella/index.js';
import { zscaler } from './zscaler/index.js';
import { waf } from './waf/index.js';
import { route53resolver } from './route53resolver/index.js';
import { panos } from './panos/index.js';
import { appJson } from './app-json/index.js';
import { windowsEvent } from './windows-event/index.js';

/** Every format packettrail reads. `--format` ids, auto-detection and the store schema come from this list. */
export const FORMATS: readonly Format[] = [cloudfront, vpcflow, cloudtrail, alb, defender, s3access, umbrella, zscaler, waf, route53resolver, panos, appJson, windowsEvent];

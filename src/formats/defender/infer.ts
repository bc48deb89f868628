import { TABLE_NAMES } from './tables.js';

/**
 * Which advanced-hunting table a plain row (portal or API export, no streaming envelope) came from:
 * an explicit hint column, then the file name, then the row's own columns.
 */
const HINT_COLUMNS = ['Table', '$table', 'TableName', 'Type', 'category', 'Category'];
const PREFIX = /^AdvancedHunting-/i;
const BY_LOWER = new Map(TABLE_NAMES.map((n) => [n.toLowerCase(), n]));

/** `AdvancedHunting-DeviceNetworkEvents` or `DeviceNetworkEvents` → the table name (known or not). */
export function tableFromHint(value: unknown): string | undefined {
  if (typeof value !== 'string' || !value) return undefined;
  const name = value.replace(PREFIX, '');
  if (!/^[A-Za-z][A-Za-z0-9_]{2,80}$/.test(name)) return undefined;
  return BY_LOWER.get(name.toLowerCase()) ?? (PREFIX.test(value) || /^(Device|Alert|Identity|Email|CloudApp|UrlClick)/.test(name) ? name : undefined);
}

// Longest names first so DeviceNetworkInfo is not read as DeviceInfo.
const NAME_PATTERN = new RegExp(`(${[...TABLE_NAMES].sort((a, b) => b.length - a.length).join('|')})`, 'i');

/** A table name inside a file name or object key (`DeviceNetworkEvents.json`, `…-advancedhunting-devicenetworkevents/…`). */
export function tableFromSource(source: string): string | undefined {
  const m = NAME_PATTERN.exec(source);
  return m ? BY_LOWER.get(m[1]!.toLowerCase()) : undefined;
}

// [table, columns that must all be present], most specific first.
const SIGNATURES: [string, string[]][] = [
  ['DeviceRegistryEvents', ['RegistryValueType']],
  ['DeviceRegistryEvents', ['PreviousRegistryKey']],
  ['DeviceProcessEvents', ['ProcessIntegrityLevel']],
  ['DeviceProcessEvents', ['ProcessVersionInfoCompanyName']],
  ['IdentityLogonEvents', ['LogonType', 'Application']],
  ['DeviceLogonEvents', ['LogonType']],
  ['IdentityQueryEvents', ['QueryTarget']],
  ['IdentityDirectoryEvents', ['TargetAccountUpn', 'Application']],
  ['IdentityInfo', ['AccountUpn', 'JobTitle']],
  ['IdentityInfo', ['GivenName', 'Surname']],
  ['DeviceFileEvents', ['PreviousFileName']],
  ['DeviceFileEvents', ['ShareName']],
  ['DeviceFileEvents', ['FileOriginReferrerUrl']],
  ['DeviceEvents', ['RegistryKey', 'FileName']],
  ['DeviceNetworkInfo', ['NetworkAdapterName']],
  ['DeviceInfo', ['OnboardingStatus']],
  ['DeviceInfo', ['OSPlatform']],
  ['DeviceFileCertificateInfo', ['CertificateSerialNumber']],
  ['AlertEvidence', ['AlertId', 'EntityType']],
  ['AlertInfo', ['AlertId', 'Title']],
  ['EmailUrlInfo', ['NetworkMessageId', 'UrlLocation']],
  ['EmailAttachmentInfo', ['NetworkMessageId', 'FileType']],
  ['EmailPostDeliveryEvents', ['NetworkMessageId', 'ActionTrigger']],
  ['EmailEvents', ['NetworkMessageId', 'SenderFromAddress']],
  ['UrlClickEvents', ['Url', 'IsClickedThrough']],
  ['CloudAppEvents', ['ActivityType', 'Application']],
  ['DeviceDnsEvents', ['DnsQueryString']],
  ['DeviceDnsEvents', ['QueryName', 'DeviceName']],
  ['DeviceNetworkEvents', ['RemoteIP', 'LocalIP']],
  ['DeviceNetworkEvents', ['RemoteUrl', 'RemotePort']],
  ['DeviceFileEvents', ['FileName', 'FolderPath', 'InitiatingProcessFileName']],
];

// ActionTypes that name their table outright.
const BY_ACTION: Record<string, string> = {
  ImageLoaded: 'DeviceImageLoadEvents',
  DnsQueryResponse: 'DeviceEvents',
  ProcessCreated: 'DeviceProcessEvents',
  FileCreated: 'DeviceFileEvents',
  FileModified: 'DeviceFileEvents',
  FileRenamed: 'DeviceFileEvents',
  FileDeleted: 'DeviceFileEvents',
  RegistryValueSet: 'DeviceRegistryEvents',
  RegistryKeyCreated: 'DeviceRegistryEvents',
  RegistryKeyDeleted: 'DeviceRegistryEvents',
  RegistryValueDeleted: 'DeviceRegistryEvents',
  ConnectionSuccess: 'DeviceNetworkEvents',
  ConnectionFailed: 'DeviceNetworkEvents',
  ConnectionRequest: 'DeviceNetworkEvents',
  InboundConnectionAccepted: 'DeviceNetworkEvents',
  InboundConnectionAttempt: 'DeviceNetworkEvents',
};

export function tableFromColumns(row: Record<string, unknown>): string | undefined {
  const action = row.ActionType;
  if (typeof action === 'string' && Object.hasOwn(BY_ACTION, action)) return BY_ACTION[action];
  for (const [table, columns] of SIGNATURES) {
    if (columns.every((c) => row[c] !== undefined)) return table;
  }
  return undefined;
}

/** The table of a plain row; `fromSource` is the table named by the file, if any. */
export function inferTable(row: Record<string, unknown>, fromSource: string | undefined): string | undefined {
  for (const c of HINT_COLUMNS) {
    const t = tableFromHint(row[c]);
    if (t) return t;
  }
  return fromSource ?? tableFromColumns(row);
}

/**
 * Channel names in the case their manifests give them. Windows compares channel names without
 * regard to case and some shippers write them lower-cased (`security`); events keep the documented
 * spelling, so `winlog.channel = 'Security'` finds them whichever way they were shipped. Channels
 * not listed here are kept as logged.
 */
const CHANNELS: readonly string[] = [
  // The classic logs.
  'Application',
  'Security',
  'System',
  'Setup',
  'ForwardedEvents',
  'HardwareEvents',
  'Windows PowerShell',
  'Key Management Service',
  'Internet Explorer',
  'DNS Server',
  'Directory Service',
  'DFS Replication',
  'File Replication Service',
  'MSExchange Management',
  // Operational channels Sigma logsources name (rules/mappings/windows.yml) and common collection targets.
  'Microsoft-IIS-Configuration/Operational',
  'Microsoft-ServiceBus-Client/Admin',
  'Microsoft-ServiceBus-Client/Operational',
  'Microsoft-Windows-AppLocker/EXE and DLL',
  'Microsoft-Windows-AppLocker/MSI and Script',
  'Microsoft-Windows-AppLocker/Packaged app-Deployment',
  'Microsoft-Windows-AppLocker/Packaged app-Execution',
  'Microsoft-Windows-AppModel-Runtime/Admin',
  'Microsoft-Windows-AppXDeploymentServer/Operational',
  'Microsoft-Windows-Application-Experience/Program-Compatibility-Assistant',
  'Microsoft-Windows-Application-Experience/Program-Telemetry',
  'Microsoft-Windows-AppxPackaging/Operational',
  'Microsoft-Windows-BitLocker/BitLocker Management',
  'Microsoft-Windows-Bits-Client/Operational',
  'Microsoft-Windows-CAPI2/Operational',
  'Microsoft-Windows-CertificateServicesClient-Lifecycle-System/Operational',
  'Microsoft-Windows-CodeIntegrity/Operational',
  'Microsoft-Windows-DHCP-Server/Operational',
  'Microsoft-Windows-DNS Client Events/Operational',
  'Microsoft-Windows-DNS-Server/Audit',
  'Microsoft-Windows-Diagnosis-Scripted/Operational',
  'Microsoft-Windows-DriverFrameworks-UserMode/Operational',
  'Microsoft-Windows-Hyper-V-Worker',
  'Microsoft-Windows-Kernel-EventTracing',
  'Microsoft-Windows-Kernel-ShimEngine/Diagnostic',
  'Microsoft-Windows-Kernel-ShimEngine/Operational',
  'Microsoft-Windows-LDAP-Client/Debug',
  'Microsoft-Windows-LSA/Operational',
  'Microsoft-Windows-NTLM/Operational',
  'Microsoft-Windows-Ntfs/Operational',
  'Microsoft-Windows-PowerShell/Operational',
  'Microsoft-Windows-PrintService/Admin',
  'Microsoft-Windows-PrintService/Operational',
  'Microsoft-Windows-SENSE/Operational',
  'Microsoft-Windows-SMBServer/Connectivity',
  'Microsoft-Windows-Security-Mitigations/Kernel Mode',
  'Microsoft-Windows-Security-Mitigations/User Mode',
  'Microsoft-Windows-Shell-Core/Operational',
  'Microsoft-Windows-SmbClient/Connectivity',
  'Microsoft-Windows-SmbClient/Security',
  'Microsoft-Windows-Sysmon/Operational',
  'Microsoft-Windows-TaskScheduler/Operational',
  'Microsoft-Windows-TerminalServices-LocalSessionManager/Operational',
  'Microsoft-Windows-TerminalServices-RemoteConnectionManager/Operational',
  'Microsoft-Windows-VHDMP/Operational',
  'Microsoft-Windows-WMI-Activity/Operational',
  'Microsoft-Windows-Windows Defender/Operational',
  'Microsoft-Windows-Windows Firewall With Advanced Security/Firewall',
  'Microsoft-Windows-WinRM/Operational',
  'OpenSSH/Operational',
  'PowerShellCore/Operational',
];

const BY_LOWER = new Map(CHANNELS.map((c) => [c.toLowerCase(), c]));

/** The documented spelling of a channel name, or the name as given when it is not a listed channel. */
export function canonicalChannel(name: string): string {
  return BY_LOWER.get(name.toLowerCase()) ?? name;
}

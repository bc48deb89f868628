import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

/** The kernel tables of UDP sockets (Linux); each line ends with the socket's `drops` counter. */
const PROC_UDP_TABLES = ['/proc/net/udp', '/proc/net/udp6'];
const PROC_RMEM_MAX = '/proc/sys/net/core/rmem_max';
// Columns of /proc/net/udp: sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode ref pointer drops
const LOCAL_ADDRESS = 1;
const INODE = 9;
const DROPS = 12;

/**
 * Datagrams the kernel dropped for one of our UDP sockets because its receive buffer was full: they
 * never reach the process, so only the kernel's per-socket counter tells. The socket is found by
 * its local port among the sockets this process holds (/proc/self/fd), then read by inode.
 * Where there is no /proc (not Linux) nothing is found and the drops are unknown.
 */
export class UdpKernelDrops {
  private constructor(private readonly inode: string) {}

  /** The counter of our socket bound to `port`, or undefined when it cannot be read here. */
  static locate(port: number): UdpKernelDrops | undefined {
    const ours = ownSocketInodes();
    if (!ours.size) return undefined;
    const portHex = `:${port.toString(16).toUpperCase().padStart(4, '0')}`;
    for (const row of udpRows()) {
      if (row[LOCAL_ADDRESS]?.endsWith(portHex) && ours.has(row[INODE] ?? '')) return new UdpKernelDrops(row[INODE]!);
    }
    return undefined;
  }

  /** Datagrams dropped since the socket was opened, or undefined once it is gone. */
  read(): number | undefined {
    for (const row of udpRows()) {
      if (row[INODE] === this.inode) {
        const drops = Number(row[DROPS]);
        return Number.isFinite(drops) ? drops : undefined;
      }
    }
    return undefined;
  }
}

/**
 * What a requested receive buffer became: Linux caps SO_RCVBUF at net.core.rmem_max (unless the
 * process has CAP_NET_ADMIN and Node used SO_RCVBUFFORCE, which it does not) and then doubles it
 * for its bookkeeping, so the size read back is not the size asked for. `clamped` says the kernel
 * gave less than asked; `rmemMax` is the sysctl to raise (undefined where it cannot be read).
 */
export function receiveBufferOutcome(requested: number, effective: number): { clamped: boolean; rmemMax: number | undefined } {
  let rmemMax: number | undefined;
  try {
    rmemMax = Number(readFileSync(PROC_RMEM_MAX, 'utf8').trim());
  } catch {
    rmemMax = undefined;
  }
  const clamped = rmemMax !== undefined && Number.isFinite(rmemMax) ? requested > rmemMax : effective < requested;
  return { clamped, rmemMax };
}

function ownSocketInodes(): Set<string> {
  const inodes = new Set<string>();
  let fds: string[];
  try {
    fds = readdirSync('/proc/self/fd');
  } catch {
    return inodes;
  }
  for (const fd of fds) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/self/fd/${fd}`));
      if (m) inodes.add(m[1]!);
    } catch {
      // closed meanwhile
    }
  }
  return inodes;
}

function udpRows(): string[][] {
  const rows: string[][] = [];
  for (const table of PROC_UDP_TABLES) {
    let text: string;
    try {
      text = readFileSync(table, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const row = line.trim().split(/\s+/);
      if (row.length > DROPS) rows.push(row);
    }
  }
  return rows;
}

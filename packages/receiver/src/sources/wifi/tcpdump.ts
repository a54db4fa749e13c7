/**
 * tcpdump as the capture engine: `tcpdump -i IF -U --immediate-mode -w - FILTER` writes a pcap stream to
 * stdout, which the codec's CaptureReader turns back into records. No native addon, and tcpdump (4.99.3
 * in Debian 12) does the privileged part. The same code reads a capture file (`tcpdump -r FILE -w -`),
 * which is how the tests run it for real without a radio.
 *
 * The filter keeps what can carry Remote ID: beacons and probe responses (vendor element) and action
 * frames (NAN service discovery). libpcap 1.10's filter language has no "subtype action" keyword
 * (pcap-filter(7) lists only assoc-req .. deauth for mgt; `type mgt subtype action` is a syntax error),
 * so action frames are matched on the frame-control byte: subtype 13 in bits 7..4, i.e. 0xD0.
 */

import { EventEmitter } from 'node:events';
import type { ChildProcess } from 'node:child_process';
import { CaptureReader } from '@odid/codec';
import type { RawFrame } from '../types.js';
import { spawnProcess, type SpawnFn } from './commands.js';
import { WifiSourceError } from './errors.js';

export const REMOTE_ID_BPF = 'type mgt subtype beacon or type mgt subtype probe-resp or (type mgt and wlan[0] & 0xf0 == 0xd0)';

export interface LiveArgsOptions {
  /** Pass -I: libpcap creates its own monitor interface (monN) next to IF for the capture. */
  rfmon?: boolean;
  filter?: string;
}

/** tcpdump arguments for a live capture on `iface`. */
export function liveTcpdumpArgs(iface: string, o: LiveArgsOptions = {}): string[] {
  // -U: flush each packet to the pipe; --immediate-mode: no 1 s kernel batching; -w -: pcap on stdout.
  return [...(o.rfmon ? ['-I'] : []), '-i', iface, '-U', '--immediate-mode', '-w', '-', o.filter ?? REMOTE_ID_BPF];
}

/** tcpdump arguments that replay a capture file through the same pipe (tests, offline checks). */
export function fileTcpdumpArgs(path: string, filter: string = REMOTE_ID_BPF): string[] {
  return ['-r', path, '-U', '-w', '-', filter];
}

/** tcpdump's own complaints (stderr) -> what to do. `iface` names the interface in the advice. */
export function explainTcpdumpFailure(stderr: string, iface: string): WifiSourceError {
  const said = stderr.trim().split('\n').filter((l) => !/^(listening on|reading from file)/.test(l.replace(/^tcpdump: /, ''))).join(' / ') || '(no output)';
  if (/permission|Operation not permitted/i.test(said)) {
    return new WifiSourceError('permission', `tcpdump may not capture on ${iface}: ${said}`, 'run as root, or let tcpdump capture: sudo setcap cap_net_raw,cap_net_admin=eip "$(command -v tcpdump)"');
  }
  if (/No such device/.test(said)) return new WifiSourceError('no-device', `there is no interface ${iface}`, 'name an interface that `iw dev` lists');
  if (/doesn't support monitor mode/.test(said)) {
    return new WifiSourceError(
      'unsupported',
      `${iface} cannot be put in monitor mode by libpcap (tcpdump -I)`,
      `use an adapter with monitor mode (hardware/wifi/README.md) and set it up with sudo hardware/wifi/monitor-setup.sh ${iface} 6, or use the managed-mode scan source`,
    );
  }
  if (/802\.11 link-layer types supported only on 802\.11/.test(said)) {
    return new WifiSourceError('not-monitor', `${iface} delivers Ethernet frames, not 802.11: it is not in monitor mode`, `sudo hardware/wifi/monitor-setup.sh ${iface} 6, or let the source do it (monitorMode 'iw')`);
  }
  if (/went down|is not up/.test(said)) return new WifiSourceError('interface-down', `${iface} is down`, `ip link set ${iface} up`);
  return new WifiSourceError('tool-failed', `tcpdump failed: ${said}`, 'run the same tcpdump command by hand to see more');
}

export interface TcpdumpEvents {
  frame: [RawFrame];
  error: [Error];
  /** tcpdump's stdout ended (file read, or the capture stopped). */
  end: [];
}

export interface TcpdumpCaptureOptions {
  args: readonly string[];
  /** For messages: the interface (or file) being read. */
  label: string;
  tcpdumpPath?: string;
  spawn?: SpawnFn;
  /** How long start() waits for tcpdump's "listening on" (default 10 s). */
  startTimeoutMs?: number;
}

export class TcpdumpCapture extends EventEmitter<TcpdumpEvents> {
  /** Link type tcpdump announced ("IEEE802_11_RADIO"), once started. */
  linkType: string | undefined;
  readonly stats = { records: 0, bytes: 0 };
  private child: ChildProcess | undefined;
  private stderr = '';
  private stopping = false;

  constructor(private readonly opts: TcpdumpCaptureOptions) {
    super();
  }

  /** Starts tcpdump; resolves once it reports capturing (or reading), rejects with a WifiSourceError. */
  start(): Promise<void> {
    const o = this.opts;
    const cmd = o.tcpdumpPath ?? 'tcpdump';
    // A live radio: each frame is handed over as soon as tcpdump has written it.
    const reader = new CaptureReader({
      live: true,
      onWarning: (w) => this.emit('error', new WifiSourceError('capture', `tcpdump's pcap stream is damaged at byte ${w.offset}: ${w.detail}`, 'report it with the tcpdump version')),
    });
    this.stopping = false;
    this.stderr = '';
    return new Promise((resolve, reject) => {
      let settled = false;
      // Whether start() resolved: only a capture that started ends ('end'); a failed start is its rejection alone.
      let capturing = false;
      const settle = (e?: Error): void => {
        if (settled) {
          if (e && !this.stopping) this.emit('error', e);
          return;
        }
        settled = true;
        capturing = !e;
        clearTimeout(timer);
        if (e) reject(e);
        else resolve();
      };
      const child = (o.spawn ?? spawnProcess)(cmd, o.args);
      this.child = child;
      const timer = setTimeout(() => {
        settle(new WifiSourceError('tool-failed', `tcpdump did not start capturing on ${o.label} within ${o.startTimeoutMs ?? 10_000} ms`, 'run the same tcpdump command by hand'));
        void this.stop();
      }, o.startTimeoutMs ?? 10_000);

      const deliver = (records: ReturnType<CaptureReader['push']>): void => {
        for (const r of records) {
          this.stats.records++;
          this.emit('frame', r.originalLength > r.data.length ? { t: r.timestamp, linkType: r.linkType, data: r.data, originalLength: r.originalLength } : { t: r.timestamp, linkType: r.linkType, data: r.data });
        }
      };
      child.stdout?.on('data', (chunk: Buffer) => {
        this.stats.bytes += chunk.length;
        deliver(reader.push(chunk));
      });
      // Nothing on stdout means tcpdump failed to start: its stderr says why, not an "empty input" warning.
      child.stdout?.on('end', () => {
        if (this.stats.bytes > 0) deliver(reader.end());
      });
      child.stderr?.on('data', (chunk: Buffer) => {
        this.stderr = (this.stderr + chunk.toString('utf8')).slice(-16 * 1024);
        // "tcpdump: listening on wlan1, link-type IEEE802_11_RADIO (...)" / "reading from file F, link-type ...".
        const m = /(?:listening on|reading from file) .*?, link-type (\S+)/.exec(this.stderr);
        if (m && !settled) {
          this.linkType = m[1];
          settle();
        }
      });
      child.on('error', (e: NodeJS.ErrnoException) => {
        this.child = undefined;
        settle(
          e.code === 'ENOENT'
            ? new WifiSourceError('not-installed', `${cmd} is not installed`, 'apt-get install tcpdump (scripts/setup.sh installs it)')
            : new WifiSourceError('tool-failed', `cannot start ${cmd}: ${e.message}`, 'check the tcpdump path and permissions'),
        );
      });
      // 'close' comes after stdout has ended, so every record is out before 'end'.
      child.on('close', (code, signal) => {
        this.child = undefined;
        if (code !== 0 && !this.stopping) settle(explainTcpdumpFailure(this.stderr, o.label));
        else if (!settled) settle(new WifiSourceError('capture', `tcpdump ended (${signal ?? `exit code ${code}`}) before it started capturing`, 'run the same tcpdump command by hand'));
        if (capturing) this.emit('end');
      });
    });
  }

  /** Everything tcpdump wrote to stderr (the last 16 KiB). */
  get messages(): string {
    return this.stderr;
  }

  /** SIGTERM: tcpdump flushes what it has and exits; resolves when it is gone. */
  async stop(): Promise<void> {
    const child = this.child;
    this.stopping = true;
    if (!child) return;
    await new Promise<void>((resolve) => {
      const kill = setTimeout(() => child.kill('SIGKILL'), 3000);
      child.once('close', () => {
        clearTimeout(kill);
        resolve();
      });
      child.kill('SIGTERM');
    });
  }
}

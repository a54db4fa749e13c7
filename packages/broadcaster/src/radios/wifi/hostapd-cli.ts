/**
 * A ControlChannel that runs `hostapd_cli -p DIR -i IFACE raw <command>` once per command. The fallback
 * for when the unix-dgram addon cannot load (not built, no compiler on the drone's computer): Node itself
 * cannot open a UNIX datagram socket, hostapd_cli (Debian package hostapd) can. It costs a process per
 * command, two per transmission, which is fine at the 1-5 Hz Remote ID needs.
 *
 * hostapd_cli 2.10 (hostapd/hostapd_cli.c, hostapd_cli_cmd_raw) joins its arguments with spaces and prints
 * hostapd's reply as is; it exits 0 even when the reply is FAIL, and non-zero when it cannot connect.
 */

import { RadioError } from '../types.js';
import { runCommand, toolOutput, type CommandRunner } from '@odid/commands';
import type { ControlChannel } from './hostapd-control.js';

export interface HostapdCliOptions {
  /** Path or name of hostapd_cli (default: found on PATH). */
  cliPath?: string;
  run?: CommandRunner;
  timeoutMs?: number;
}

export class HostapdCliChannel implements ControlChannel {
  readonly description: string;
  private readonly cli: string;
  private readonly run: CommandRunner;
  private readonly timeoutMs: number;

  constructor(
    private readonly ctrlDir: string,
    private readonly iface: string,
    opts: HostapdCliOptions = {},
  ) {
    this.cli = opts.cliPath ?? 'hostapd_cli';
    this.run = opts.run ?? runCommand;
    this.timeoutMs = opts.timeoutMs ?? 5000;
    this.description = `${this.cli} -p ${ctrlDir} -i ${iface} (one process per command)`;
  }

  async request(command: string): Promise<string> {
    const args = ['-p', this.ctrlDir, '-i', this.iface, 'raw', ...command.split(' ')];
    const r = await this.run(this.cli, args, { timeoutMs: this.timeoutMs });
    if (r.spawnError === 'ENOENT') {
      throw new RadioError('not-installed', 'wifi-beacon', `${this.cli} is not installed`, 'apt-get install hostapd (it ships hostapd_cli), or run scripts/setup.sh');
    }
    if (r.code !== 0) {
      const said = toolOutput(r);
      const missing = /No such file or directory|Connection refused/.test(said);
      throw new RadioError(
        'hostapd',
        'wifi-beacon',
        `${this.cli} could not reach hostapd at ${this.ctrlDir}/${this.iface}: ${said}`,
        missing ? 'start hostapd with ctrl_interface set to that directory' : 'run as root, or set ctrl_interface_group to a group you are in',
      );
    }
    return r.stdout;
  }

  async close(): Promise<void> {}
}

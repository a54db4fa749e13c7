/**
 * hostapd's control interface protocol, as hostapd 2.10's hostapd/ctrl_iface.c answers it: one text
 * command per datagram, one reply per command ("OK\n", "FAIL\n", "PONG\n", "UNKNOWN COMMAND\n").
 * Replies carry no tag, so commands go one at a time. The bytes travel over a ControlChannel: a UNIX
 * datagram socket (ctrl-socket.ts) or, where that addon cannot load, one hostapd_cli run per command
 * (hostapd-cli.ts).
 *
 * A Remote ID beacon refresh is `SET vendor_elements <hex>` then `UPDATE_BEACON`: SET only changes the
 * configuration, UPDATE_BEACON rebuilds the beacon (and probe response) templates in the driver.
 */

import { vendorElementsHex } from './hostapd-config.js';
import { RadioError } from '../types.js';

export interface ControlChannel {
  /** What it is, for logs: "UNIX datagram socket /run/hostapd/wlan0". */
  readonly description: string;
  /** Sends one command; resolves with hostapd's reply as received (trailing newline included). */
  request(command: string): Promise<string>;
  close(): Promise<void>;
}

const FIX_UPDATE_BEACON = 'use hostapd 2.7 or newer (Debian 12 ships 2.10), built with CONFIG_CTRL_IFACE';

export class HostapdControl {
  private queue: Promise<unknown> = Promise.resolve();

  constructor(readonly channel: ControlChannel) {}

  get description(): string {
    return this.channel.description;
  }

  /** Sends `command` and checks the reply is `expect` (OK by default). */
  command(command: string, expect = 'OK'): Promise<void> {
    return this.exclusive(() => this.send(command, expect));
  }

  ping(): Promise<void> {
    return this.command('PING', 'PONG');
  }

  /** Replaces the vendor elements of the beacon and rebuilds it: what each transmission does. */
  refreshVendorElements(elements: Uint8Array): Promise<void> {
    const set = `SET vendor_elements ${vendorElementsHex(elements)}`;
    // Both commands under one turn, so that concurrent refreshes cannot interleave.
    return this.exclusive(async () => {
      await this.send(set, 'OK');
      await this.send('UPDATE_BEACON', 'OK');
    });
  }

  /** One command (or command pair) in flight: a reply cannot be matched to its command otherwise. */
  private exclusive(fn: () => Promise<void>): Promise<void> {
    const next = this.queue.then(fn, fn);
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async send(command: string, expect: string): Promise<void> {
    const reply = (await this.channel.request(command)).trim();
    if (reply === expect) return;
    const shown = command.length > 60 ? `${command.slice(0, 57)}...` : command;
    if (reply === 'UNKNOWN COMMAND') {
      throw new RadioError('hostapd', 'wifi-beacon', `hostapd does not know the command '${shown}'`, FIX_UPDATE_BEACON);
    }
    throw new RadioError(
      'hostapd',
      'wifi-beacon',
      `hostapd answered '${reply || '(nothing)'}' to '${shown}' (expected ${expect})`,
      reply === 'FAIL' ? 'run hostapd with -dd to see why it refused, and check the interface is still up (ip link)' : 'check that the control socket belongs to hostapd',
    );
  }

  close(): Promise<void> {
    return this.channel.close();
  }
}

/**
 * The one error type of the Wi-Fi sources: what went wrong, and what the person at the receiver can do
 * about it. Tests assert on `code`, never on the text.
 */

import { ToolkitError } from '@odid/codec';

export type WifiErrorCode =
  | 'not-installed' // tcpdump, iw or ip missing
  | 'permission' // needs root / CAP_NET_ADMIN / CAP_NET_RAW
  | 'no-device' // no such interface
  | 'no-wifi-driver' // the kernel has no nl80211 at all
  | 'not-monitor' // the interface delivers Ethernet frames, not 802.11
  | 'unsupported' // the driver cannot do what was asked (monitor mode, scanning)
  | 'busy' // another program holds the interface, or a scan is running
  | 'channel' // the adapter or regulatory domain refuses the channel
  | 'interface-down'
  | 'config' // options that cannot work together
  | 'capture' // the capture stream itself (damage, early end)
  | 'tool-failed'; // anything else a tool reported

/** "wifi: REASON. Fix: FIX". */
export class WifiSourceError extends ToolkitError {
  override readonly name = 'WifiSourceError';
  declare readonly code: WifiErrorCode;
  declare readonly fix: string;
  constructor(code: WifiErrorCode, reason: string, fix: string) {
    super(code, reason, { subject: 'wifi', fix });
  }
}

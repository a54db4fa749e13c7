/**
 * Parser for the text of `iw dev IF scan -u` / `iw dev IF scan dump -u` (iw 5.19, scan.c):
 *
 * - print_bss_handler: "BSS <mac>(on <dev>)[ -- associated]", then tab-indented "last seen: S.MMMs
 *   [boottime]", "TSF: <µs> usec (...)", "freq: <MHz>[.<offset>]", "beacon interval: <n> TUs",
 *   "capability: <names> (0x<hex>)", "signal: %d.%.2d dBm" (s/100, s%100 of mBm: -45.5 dBm prints as
 *   "-45.-50"), "last seen: <n> ms ago", then the elements, under "Information elements from Probe
 *   Response frame:" only when they differ from the beacon's ("... from Beacon frame:" only with -b).
 * - print_ies/print_vendor: with -u ("unknown"), a vendor element iw has no printer for is one line
 *   "\tVendor specific: OUI %.2x:%.2x:%.2x, data:" followed by " %.2x" for every byte after the OUI
 *   (so data starts with the OUI type). Without -u such elements are not printed at all. Lines are never
 *   wrapped, however long the element. Microsoft (00:50:f2) and Wi-Fi Alliance (50:6f:9a) OUIs print as
 *   "MS/WiFi 0x.., data:" / "WFA 0x.., data:" instead and cannot be Remote ID.
 * - print_ssid_escaped: printable bytes as is, except '\' and spaces at either end, which become \xHH.
 */

export type IeSource = 'beacon' | 'probe-response';

export interface ScannedIeSet {
  source: IeSource;
  ssid?: Uint8Array;
  /** DS Parameter Set channel, when printed. */
  channel?: number;
  /** Complete vendor-specific elements (DD len OUI data) rebuilt from the "Vendor specific" lines. */
  vendorElements: Uint8Array[];
}

export interface ScannedBss {
  bssid: string;
  ifname?: string;
  /** "associated", "authenticated", "joined". */
  status?: string;
  /** CLOCK_BOOTTIME of the last sighting, ms. */
  lastSeenBoottimeMs?: number;
  /** TSF of the last frame, µs (bigint: it is a u64). */
  tsf?: bigint;
  freqMHz?: number;
  beaconIntervalTU?: number;
  capability?: number;
  signalDbm?: number;
  lastSeenMsAgo?: number;
  /** One set normally; two with `scan dump -b`. */
  ieSets: ScannedIeSet[];
}

const BSS_RE = /^BSS ([0-9a-f]{2}(?::[0-9a-f]{2}){5})(?:\(on ([^)]*)\))?(?: -- (.*))?$/;
const VENDOR_RE = /^Vendor specific: OUI ([0-9a-f]{2}):([0-9a-f]{2}):([0-9a-f]{2}), data:((?: [0-9a-f]{2})*)$/;
const MAX_ELEMENT = 255;

/** Every BSS block of the scan output, in order. Lines it does not know are skipped. */
export function parseIwScan(text: string): ScannedBss[] {
  const out: ScannedBss[] = [];
  let bss: ScannedBss | undefined;
  let set: ScannedIeSet | undefined;

  const currentSet = (): ScannedIeSet => {
    if (!set) {
      // Elements without a heading: the only set, the same as the beacon's.
      set = { source: 'beacon', vendorElements: [] };
      bss!.ieSets.push(set);
    }
    return set;
  };

  for (const raw of text.split('\n')) {
    const lineEnd = raw.replace(/\r$/, '');
    const bssMatch = BSS_RE.exec(lineEnd);
    if (bssMatch) {
      bss = { bssid: bssMatch[1]!, ieSets: [] };
      if (bssMatch[2] !== undefined) bss.ifname = bssMatch[2];
      if (bssMatch[3] !== undefined) bss.status = bssMatch[3];
      out.push(bss);
      set = undefined;
      continue;
    }
    if (!bss || !/^\s/.test(lineEnd)) continue;
    const line = lineEnd.replace(/^\t/, '');
    let m: RegExpExecArray | null;

    if ((m = /^Information elements from (Probe Response|Beacon) frame:$/i.exec(line))) {
      set = { source: m[1]!.toLowerCase() === 'beacon' ? 'beacon' : 'probe-response', vendorElements: [] };
      bss.ieSets.push(set);
      continue;
    }
    // BSS fields (no element printer starts a line with these words; element sub-lines have two tabs). Numbers
    // are bounded to the digits iw can print for them: a longer run is not iw's, and would parse to Infinity.
    {
      if ((m = /^last seen: (\d{1,15})\.(\d{3})s \[boottime\]$/.exec(line))) {
        bss.lastSeenBoottimeMs = Number(m[1]) * 1000 + Number(m[2]);
        continue;
      }
      if ((m = /^TSF: (\d{1,20}) usec/.exec(line))) {
        bss.tsf = BigInt(m[1]!);
        continue;
      }
      if ((m = /^freq: (\d{1,6})(?:\.\d{1,6})?$/.exec(line))) {
        bss.freqMHz = Number(m[1]);
        continue;
      }
      if ((m = /^beacon interval: (\d{1,5}) TUs$/.exec(line))) {
        bss.beaconIntervalTU = Number(m[1]);
        continue;
      }
      if ((m = /^capability:.*\(0x([0-9a-f]{4})\)$/.exec(line))) {
        bss.capability = parseInt(m[1]!, 16);
        continue;
      }
      if ((m = /^signal: (-?)(\d{1,3})\.-?(\d{2}) dBm$/.exec(line))) {
        // "%d.%.2d" of s/100 and s%100: the sign of a -0.5 dBm fraction ends up on both parts, or only on the second.
        const mag = Number(m[2]) + Number(m[3]) / 100;
        bss.signalDbm = m[1] === '-' || /\.-/.test(line) ? -mag : mag;
        continue;
      }
      if ((m = /^last seen: (\d{1,15}) ms ago$/.exec(line))) {
        bss.lastSeenMsAgo = Number(m[1]);
        continue;
      }
      if (/^signal: \d+\/100$/.test(line)) continue;
    }
    if ((m = /^SSID: (.*)$/.exec(line))) {
      currentSet().ssid = unescapeSsid(m[1]!);
      continue;
    }
    if ((m = /^DS Parameter set: channel (\d{1,3})$/.exec(line))) {
      currentSet().channel = Number(m[1]);
      continue;
    }
    if ((m = VENDOR_RE.exec(line))) {
      const data = m[4]!.trim() === '' ? [] : m[4]!.trim().split(' ').map((h) => parseInt(h, 16));
      const len = 3 + data.length;
      if (len > MAX_ELEMENT) continue; // cannot come from a real element
      const el = Uint8Array.of(0xdd, len, parseInt(m[1]!, 16), parseInt(m[2]!, 16), parseInt(m[3]!, 16), ...data);
      currentSet().vendorElements.push(el);
      continue;
    }
  }
  return out;
}

/** Undoes print_ssid_escaped: "\xHH" -> byte, everything else UTF-8 as printed. */
export function unescapeSsid(printed: string): Uint8Array {
  const bytes: number[] = [];
  const enc = new TextEncoder();
  for (let i = 0; i < printed.length; ) {
    const esc = /^\\x([0-9a-f]{2})/.exec(printed.slice(i, i + 4));
    if (esc) {
      bytes.push(parseInt(esc[1]!, 16));
      i += 4;
      continue;
    }
    const cp = printed.codePointAt(i)!;
    const ch = String.fromCodePoint(cp);
    bytes.push(...enc.encode(ch));
    i += ch.length;
  }
  return Uint8Array.from(bytes);
}

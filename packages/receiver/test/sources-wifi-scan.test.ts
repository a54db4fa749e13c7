import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { LINKTYPE, RemoteIdExtractor, buildOdidBeaconElement, encodeMessage, parseRadiotap, toHex, type ReceivedMessage } from '@odid/codec';
import type { RawFrame } from '../src/sources/types.js';
import { WifiMonitorSource, WifiScanSource, WifiSourceError, openWifiSource, parseIwScan, syntheticFrame, unescapeSsid, type CommandResult, type CommandRunner } from '../src/sources/wifi.js';
import { ManualTimers } from '../src/sources/wifi/timers.js';

/**
 * `iw dev wlan0 scan -u flush freq 2437 5745` as iw 5.19 prints it (scan.c print_bss_handler, print_ies,
 * print_vendor, print_ssid_escaped): a home AP (probe response) with Broadcom/Epigram vendor elements and
 * WMM/WPS/MBO printed by name, an ArduRemoteID-style Remote ID beacon on channel 6 (a 3-message pack on
 * one unwrapped line; its -67.5 dBm printed "-67.-50" by iw's "%d.%.2d"), a DJI probe response on 149
 * carrying DJI DroneID, a pre-standard Parrot-OUI Remote ID element and a Quantenna element, and a hidden
 * SSID AP. Written by hand; the drone bytes were made by this project's own encoder.
 */
const IW_SCAN = String.raw`BSS 3c:84:6a:12:34:56(on wlan0) -- associated
	last seen: 4521.337s [boottime]
	TSF: 94372185472 usec (1d, 02:12:52)
	freq: 2437
	beacon interval: 100 TUs
	capability: ESS Privacy ShortSlotTime RadioMeasure (0x1411)
	signal: -52.00 dBm
	last seen: 120 ms ago
	Information elements from Probe Response frame:
	SSID: HomeNet 2.4
	Supported rates: 1.0* 2.0* 5.5* 11.0* 6.0 9.0 12.0 18.0 
	DS Parameter set: channel 6
	TIM: DTIM Count 0 DTIM Period 1 Bitmap Control 0x0 Bitmap[0] 0x0
	Country: DE	Environment: Indoor/Outdoor
		Channels [1 - 13] @ 20 dBm
	ERP: Barker_Preamble_Mode
	Extended supported rates: 24.0 36.0 48.0 54.0 
	RSN:	 * Version: 1
		 * Group cipher: CCMP
		 * Pairwise ciphers: CCMP
		 * Authentication suites: PSK
		 * Capabilities: 1-PTKSA-RC 1-GTKSA-RC (0x0000)
	HT capabilities:
		Capabilities: 0x1ad
			RX LDPC
			HT20
			SM Power Save disabled
			RX HT20 SGI
			TX STBC
			RX STBC 1-stream
			Max AMSDU length: 3839 bytes
			No DSSS/CCK HT40
		Maximum RX AMPDU length 65535 bytes (exponent: 0x003)
		Minimum RX AMPDU time spacing: 4 usec (0x05)
		HT RX MCS rate indexes supported: 0-15
		HT TX MCS rate indexes are undefined
	HT operation:
		 * primary channel: 6
		 * secondary channel offset: no secondary
		 * STA channel width: 20 MHz
		 * RIFS: 0
		 * HT protection: no
		 * non-GF present: 1
	Extended capabilities:
		 * Extended Channel Switching
		 * BSS Transition
		 * Operating Mode Notification
	WMM:	 * Parameter version 1
		 * u-APSD
		 * BE: CW 15-1023, AIFSN 3
		 * BK: CW 15-1023, AIFSN 7
		 * VI: CW 7-15, AIFSN 2, TXOP 3008 usec
		 * VO: CW 3-7, AIFSN 2, TXOP 1504 usec
	WPS:	 * Version: 1.0
		 * Wi-Fi Protected Setup State: 2 (Configured)
		 * Response Type: 3 (AP)
	Vendor specific: OUI 00:10:18, data: 02 00 00 1c 00 00
	Vendor specific: OUI 00:90:4c, data: 04 08 bf 0c b2 79 91 33 fa ff 0c 03 fa ff 0c 03
	MS/WiFi 0x08, data: 00 00
	WFA 0x16, data: 01 01 00
BSS 02:5e:11:aa:bb:cc(on wlan0)
	last seen: 4521.298s [boottime]
	TSF: 8804352 usec (0d, 00:00:08)
	freq: 2437
	beacon interval: 976 TUs
	capability: ESS ShortPreamble ShortSlotTime (0x0420)
	signal: -67.-50 dBm
	last seen: 159 ms ago
	SSID: RID_1596F2B3
	Supported rates: 6.0* 
	DS Parameter set: channel 6
	Vendor specific: OUI fa:0b:bc, data: 0d 5c f2 19 03 02 12 31 35 39 36 46 32 42 33 43 34 44 35 45 36 46 37 41 38 42 39 00 00 00 12 20 5a 12 01 f0 0e 37 1f c0 f2 ea 02 48 08 9c 08 44 08 4a 43 39 30 01 00 52 00 4e 4c 44 38 37 61 73 74 72 64 67 65 31 32 6b 38 00 00 00 00 00 00 00
BSS 60:60:1f:11:22:33(on wlan0)
	last seen: 4520.870s [boottime]
	TSF: 412399102 usec (0d, 00:06:52)
	freq: 5745
	beacon interval: 100 TUs
	capability: ESS ShortSlotTime (0x0401)
	signal: -71.00 dBm
	last seen: 587 ms ago
	Information elements from Probe Response frame:
	SSID: \x20DJI-AIR3\x5cRID\x20
	Supported rates: 6.0* 9.0 12.0* 18.0 24.0* 36.0 48.0 54.0 
	HT capabilities:
		Capabilities: 0x6e
			HT20/HT40
			SM Power Save disabled
			RX HT20 SGI
			RX HT40 SGI
			No RX STBC
			Max AMSDU length: 3839 bytes
			No DSSS/CCK HT40
		Maximum RX AMPDU length 65535 bytes (exponent: 0x003)
		Minimum RX AMPDU time spacing: 8 usec (0x06)
		HT RX MCS rate indexes supported: 0-7
		HT TX MCS rate indexes are undefined
	HT operation:
		 * primary channel: 149
		 * secondary channel offset: no secondary
		 * STA channel width: 20 MHz
	Vendor specific: OUI 26:37:12, data: 58 62 13 10 01 23 01 f3 01 44 4a 49 54 45 53 54 53 45 52 49 41 4c 30 30 31 0a a3 16 00 27 2b 7d 00 f4 01 78 00 96 00 38 ff 0a 00 00 00 00 00 28 23 5b a2 16 00 79 2a 7d 00 10 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00
	Vendor specific: OUI 90:3a:e6, data: 0d 03 f1 19 01 01 12 50 41 52 30 54 35 4e 30 30 30 30 30 31 32 33 00 00 00 00 00 00 00 00
	Vendor specific: OUI 00:26:86, data: 01 03 00 dd 09 00 10 18 02 00 00 9c 00 00
BSS 7a:11:22:33:44:55(on wlan0)
	last seen: 4519.002s [boottime]
	TSF: 0 usec (0d, 00:00:00)
	freq: 5745
	beacon interval: 100 TUs
	capability: ESS Privacy SpectrumMgmt (0x0111)
	signal: -80.00 dBm
	last seen: 2455 ms ago
	SSID: 
	Supported rates: 6.0* 9.0 12.0* 18.0 24.0* 36.0 48.0 54.0 
	Unknown IE (244): 21 00
	RSN:	 * Version: 1
		 * Group cipher: CCMP
		 * Pairwise ciphers: CCMP
		 * Authentication suites: SAE
		 * Capabilities: 1-PTKSA-RC 1-GTKSA-RC MFP-required MFP-capable (0x00c0)
	Vendor specific: OUI 00:17:f2, data: 01 00 00
`;

const ODID_PACK = encodeMessage({
  type: 'messagePack',
  protocolVersion: 2,
  messages: [
    { type: 'basicId', protocolVersion: 2, idType: 1, uaType: 2, uasId: '1596F2B3C4D5E6F7A8B9' },
    { type: 'location', protocolVersion: 2, status: 2, direction: 90, speedHorizontal: 4.5, speedVertical: 0.5, latitude: 52.3702, longitude: 4.8952, altitudeBaro: 60, altitudeGeo: 102, heightType: 0, height: 58, horizAccuracy: 10, vertAccuracy: 4, baroAccuracy: 4, speedAccuracy: 3, tsAccuracy: 1, timestamp: 1234.5 },
    { type: 'operatorId', protocolVersion: 2, operatorIdType: 0, operatorId: 'NLD87astrdge12k8' },
  ],
});

function requireTool(tool: string, pkg: string): void {
  if (spawnSync('sh', ['-c', `command -v ${tool} || ls /usr/sbin/${tool}`]).status !== 0) {
    throw new Error(`${tool} is not installed: run scripts/setup.sh (needs the Debian package ${pkg})`);
  }
}

function scriptedIw(answers: (args: readonly string[]) => Partial<CommandResult>): { run: CommandRunner; calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    run: async (cmd, args) => {
      calls.push([cmd, ...args].join(' '));
      return { code: 0, stdout: '', stderr: '', ...answers(args) };
    },
  };
}

const decode = (frames: RawFrame[]): ReceivedMessage[] => {
  const ex = new RemoteIdExtractor();
  return frames.flatMap((f) => ex.fromRecord(f.linkType, f.data, { t: f.t }));
};

describe('iw scan output parser', () => {
  const list = parseIwScan(IW_SCAN);

  it('finds every BSS block with its fields', () => {
    expect(list.map((b) => b.bssid)).toEqual(['3c:84:6a:12:34:56', '02:5e:11:aa:bb:cc', '60:60:1f:11:22:33', '7a:11:22:33:44:55']);
    expect(list[0]).toMatchObject({
      ifname: 'wlan0',
      status: 'associated',
      lastSeenBoottimeMs: 4521337,
      tsf: 94372185472n,
      freqMHz: 2437,
      beaconIntervalTU: 100,
      capability: 0x1411,
      signalDbm: -52,
      lastSeenMsAgo: 120,
    });
    expect(list[1]).toMatchObject({ freqMHz: 2437, beaconIntervalTU: 976, capability: 0x0420, signalDbm: -67.5, lastSeenMsAgo: 159, tsf: 8804352n });
    expect(list[1]!.status).toBeUndefined();
    expect(list[2]).toMatchObject({ freqMHz: 5745, signalDbm: -71, lastSeenMsAgo: 587 });
    expect(list[3]).toMatchObject({ freqMHz: 5745, signalDbm: -80, tsf: 0n });
  });

  it('tells probe-response elements from beacon elements, and reads SSIDs back to their bytes', () => {
    expect(list.map((b) => b.ieSets.map((s) => s.source))).toEqual([['probe-response'], ['beacon'], ['probe-response'], ['beacon']]);
    expect(new TextDecoder().decode(list[0]!.ieSets[0]!.ssid)).toBe('HomeNet 2.4');
    expect(list[0]!.ieSets[0]!.channel).toBe(6);
    expect(new TextDecoder().decode(list[2]!.ieSets[0]!.ssid)).toBe(' DJI-AIR3\\RID ');
    expect(list[3]!.ieSets[0]!.ssid).toEqual(new Uint8Array(0)); // hidden SSID: "SSID: " and nothing
    expect(toHex(unescapeSsid('caf\u00e9\\x00'))).toBe('636166c3a900');
  });

  it('rebuilds every "Vendor specific" line as its element, and only those', () => {
    const vendors = list.map((b) => b.ieSets[0]!.vendorElements.map((e) => toHex(e)));
    expect(vendors[0]).toEqual(['dd090010180200001c0000', 'dd1300904c0408bf0cb2799133faff0c03faff0c03']); // not MS/WiFi or WFA
    // The drone line is the whole element the encoder builds: OUI FA:0B:BC, type 0D, counter 0x5C, pack.
    expect(vendors[1]).toEqual([toHex(buildOdidBeaconElement(0x5c, ODID_PACK))]);
    expect(vendors[2]!.map((h) => h.slice(0, 10))).toEqual(['dd52263712', 'dd21903ae6', 'dd11002686']);
    expect(vendors[3]).toEqual(['dd060017f2010000']);
  });

  it('ignores what is not a BSS block and lines it does not know', () => {
    expect(parseIwScan('')).toEqual([]);
    expect(parseIwScan('scan aborted!\n')).toEqual([]);
    const odd = parseIwScan('BSS 02:00:00:00:00:01(on wlan0)\n\tfreq: 2437\n\tsignal: 60/100\n\tVendor specific: <too short> data: 01 02\n\tVendor specific: OUI fa:0b:bc, data:\n');
    expect(odd[0]!.signalDbm).toBeUndefined();
    expect(odd[0]!.ieSets[0]!.vendorElements.map((e) => toHex(e))).toEqual(['dd03fa0bbc']);
  });
});

describe('scan results as synthetic beacons', () => {
  const list = parseIwScan(IW_SCAN);

  it('decode through the same path as monitor-mode frames', () => {
    const frames = list.flatMap((b) => b.ieSets.map((s) => ({ t: 1, ...syntheticFrame(b, s) })));
    const msgs = decode(frames);
    expect(msgs.map((m) => [m.transport, m.mac, m.counter, m.message.type, m.rssi, m.channel])).toEqual([
      ['wifi-beacon', '02:5e:11:aa:bb:cc', 0x5c, 'basicId', -67, 6],
      ['wifi-beacon', '02:5e:11:aa:bb:cc', 0x5c, 'location', -67, 6],
      ['wifi-beacon', '02:5e:11:aa:bb:cc', 0x5c, 'operatorId', -67, 6],
      ['dji-wifi', '60:60:1f:11:22:33', undefined, 'djiFlightInfo', -71, 149],
      ['wifi-beacon', '60:60:1f:11:22:33', 3, 'basicId', -71, 149],
    ]);
    const loc = msgs[1]!.message as { latitude: number; longitude: number };
    expect([loc.latitude, loc.longitude]).toEqual([52.3702, 4.8952]);
    expect(msgs[3]!.message).toMatchObject({ serialNumber: 'DJITESTSERIAL001', productType: 16 });
    expect((msgs[4]!.message as { uasId: string }).uasId).toBe('PAR0T5N00000123');
  });

  it('carry frequency and signal in radiotap, TSF and the source subtype in the frame', () => {
    const f = syntheticFrame(list[2]!, list[2]!.ieSets[0]!);
    expect(f.linkType).toBe(LINKTYPE.IEEE802_11_RADIOTAP);
    const rt = parseRadiotap(f.data);
    expect([rt.freqMHz, rt.rssi]).toEqual([5745, -71]);
    const mac = f.data.subarray(rt.headerLength);
    expect(toHex(mac.subarray(0, 4))).toBe('50000000'); // probe response
    expect(toHex(mac.subarray(10, 22))).toBe('60601f11223360601f112233');
    expect(new DataView(mac.buffer, mac.byteOffset).getBigUint64(24, true)).toBe(412399102n);
    expect(toHex(syntheticFrame(list[1]!, list[1]!.ieSets[0]!).data.subarray(rt.headerLength, rt.headerLength + 1))).toBe('80'); // beacon
  });
});

describe('WifiScanSource', () => {
  const SCAN = ['dev', 'wlan0', 'scan', '-u', 'flush', 'freq', '2437', '5745'].join(' ');

  it('scans the Remote ID frequencies, delivers drone BSSes only, each sighting once', async () => {
    const timers = new ManualTimers(Date.UTC(2025, 5, 1, 12, 0, 0));
    let output = IW_SCAN;
    const iw = scriptedIw(() => ({ stdout: output }));
    const rounds: unknown[] = [];
    const src = new WifiScanSource({ iface: 'wlan0', run: iw.run, timers, intervalMs: 2000, onScan: (r) => rounds.push(r) });
    const frames: RawFrame[] = [];
    src.on('frame', (f) => frames.push(f));
    await src.start();
    expect(iw.calls).toEqual([`iw ${SCAN}`]);
    expect(frames).toHaveLength(2); // the Remote ID beacon and the DJI probe response; the APs are left out
    expect(frames[0]!.t).toBe((timers.now() - 159) / 1000);
    expect(src.name).toBe('wifi:wlan0 (managed-mode scan)');

    await timers.advance(2000); // same results again (the cache): nothing new
    expect(iw.calls).toHaveLength(2);
    expect(frames).toHaveLength(2);

    // The drone's next beacon: new TSF and counter.
    output = IW_SCAN.replace('TSF: 8804352 usec', 'TSF: 9803776 usec').replace('0d 5c f2 19 03', '0d 5d f2 19 03');
    await timers.advance(2000);
    expect(frames).toHaveLength(3);
    expect(decode(frames.slice(2)).map((m) => m.counter)).toEqual([0x5d, 0x5d, 0x5d]);
    expect(rounds).toHaveLength(3);
    expect(rounds[2]).toMatchObject({ bss: 4, delivered: 1, cached: false });
    await src.stop();
    await timers.advance(10_000);
    expect(iw.calls).toHaveLength(3);
  });

  it('falls back to the kernel cache (scan dump -u) while another scan is running', async () => {
    const timers = new ManualTimers(0);
    const iw = scriptedIw((args) => (args.includes('dump') ? { stdout: IW_SCAN } : { code: 240, stderr: 'command failed: Device or resource busy (-16)\n' }));
    const src = new WifiScanSource({ iface: 'wlan0', run: iw.run, timers });
    const frames: RawFrame[] = [];
    src.on('frame', (f) => frames.push(f));
    await src.start();
    expect(iw.calls).toEqual([`iw ${SCAN}`, 'iw dev wlan0 scan dump -u']);
    expect(frames).toHaveLength(2);
    expect(src.stats).toMatchObject({ scans: 1, cachedScans: 1 });
    await src.stop();
  });

  it("'dump' mode only reads the cache", async () => {
    const iw = scriptedIw(() => ({ stdout: '' }));
    const src = new WifiScanSource({ iface: 'wlan0', run: iw.run, timers: new ManualTimers(0), mode: 'dump', freqs: [] });
    await src.start();
    await src.stop();
    expect(iw.calls).toEqual(['iw dev wlan0 scan dump -u']);
  });

  it('start() fails with what to do; later failures are errors, fatal ones end scanning', async () => {
    const code = async (stderr: string, extra: Partial<CommandResult> = {}): Promise<string> => {
      const src = new WifiScanSource({ iface: 'wlan0', run: scriptedIw(() => ({ code: 161, stderr, ...extra })).run, timers: new ManualTimers(0) });
      const e = await src.start().then(() => undefined, (err: unknown) => err);
      expect(e).toBeInstanceOf(WifiSourceError);
      return (e as WifiSourceError).code;
    };
    expect(await code('command failed: Operation not permitted (-1)\n')).toBe('permission');
    expect(await code('command failed: Network is down (-100)\n')).toBe('interface-down');
    expect(await code('command failed: Operation not supported (-95)\n')).toBe('unsupported');
    expect(await code('command failed: No such device (-19)\n')).toBe('no-device');
    expect(await code('', { code: -1, spawnError: 'ENOENT' })).toBe('not-installed');

    const timers = new ManualTimers(0);
    let fail = false;
    const iw = scriptedIw(() => (fail ? { code: 161, stderr: 'command failed: Network is down (-100)\n' } : { stdout: '' }));
    const src = new WifiScanSource({ iface: 'wlan0', run: iw.run, timers, intervalMs: 1000 });
    const errors: WifiSourceError[] = [];
    src.on('error', (e) => errors.push(e as WifiSourceError));
    await src.start();
    fail = true;
    await timers.advance(5000);
    expect(errors.map((e) => e.code)).toEqual(['interface-down']);
    expect(errors[0]!.fix).toBe('ip link set wlan0 up');
    expect(iw.calls).toHaveLength(2); // stopped after the fatal one
  });

  it('with the real iw of this machine (no Wi-Fi driver): a clear error', async () => {
    requireTool('iw', 'iw');
    const e = await new WifiScanSource({ iface: 'wlan0' }).start().then(() => undefined, (err: unknown) => err);
    expect(e).toBeInstanceOf(WifiSourceError);
    expect((e as WifiSourceError).code).toBe('no-wifi-driver');
    expect((e as WifiSourceError).fix).toMatch(/hardware\/wifi\/README.md/);
  });
});

describe('openWifiSource', () => {
  const info = (type: string): CommandRunner => scriptedIw(() => ({ stdout: `Interface wlan1\n\tifindex 5\n\twdev 0x100000001\n\taddr 00:c0:ca:aa:bb:cc\n\ttype ${type}\n\twiphy 1\n\ttxpower 20.00 dBm\n` })).run;

  it("'auto' captures on a monitor interface and scans on any other, never switching modes by itself", async () => {
    expect(await openWifiSource({ iface: 'wlan1', run: info('monitor') })).toBeInstanceOf(WifiMonitorSource);
    expect(await openWifiSource({ iface: 'wlan1', run: info('managed') })).toBeInstanceOf(WifiScanSource);
    expect(await openWifiSource({ iface: 'wlan1', mode: 'scan', run: info('monitor') })).toBeInstanceOf(WifiScanSource);
    const e = await openWifiSource({ iface: 'wlan1', run: scriptedIw(() => ({ code: 1, stderr: 'nl80211 not found.\n' })).run }).catch((err: unknown) => err);
    expect((e as WifiSourceError).code).toBe('no-wifi-driver');
  });
});

/**
 * Messages per second for decode and encode of each message type and of a full message pack, the bytes each
 * decode allocates, and the broadcast mix a receiver hears (six Location for each one of the others).
 */
import { decodeMessage, encodeMessage, fromHex, type LocationMessage, type OdidMessage } from '../src/index.js';
import { bytesPerOp, fmt, fmtBytes, opsPerSecond } from './harness.js';

const SAMPLES: Record<string, string> = {
  basicId: '0212313538314635464a44323238343030583053324b000000',
  location: '122624160a42bf241b6ed1b4b69808ac0870084a63150e0100',
  auth: '22100128003fab013132333435363738393031323334353637',
  selfId: '320044726f6e65735255533a205265616c20457374617465 00'.replace(' ', ''),
  system: '4204a6bf241bd2d1b4b62300073109230824f907003fab0100',
  operatorId: '520046494e38376173747264676531326b3800000000000000',
};

export interface CodecRow {
  name: string;
  decode: number;
  encode?: number;
  /** Bytes of heap one decode allocates (bytesPerOp). */
  decodeBytes: number;
}

/**
 * What a receiver hears from one aircraft, decoded one message after another: six Location messages (each
 * a step further along: the position, altitude and time change) for each Basic ID, System, Operator ID,
 * Self-ID and Authentication page, which repeat unchanged.
 */
export function broadcastMix(): Uint8Array[] {
  const location = decodeMessage(fromHex(SAMPLES.location!)) as LocationMessage;
  const locations = Array.from({ length: 6 }, (_, i) =>
    encodeMessage({ ...location, latitude: location.latitude + i * 1e-5, altitudeGeo: location.altitudeGeo + i / 2, timestamp: location.timestamp + i / 10 }),
  );
  return [...locations, ...['basicId', 'system', 'operatorId', 'selfId', 'auth'].map((name) => fromHex(SAMPLES[name]!))];
}

export function benchCodec(): CodecRow[] {
  const rows: CodecRow[] = [];
  const packMembers: OdidMessage[] = [];
  for (const [name, hex] of Object.entries(SAMPLES)) {
    const bytes = fromHex(hex);
    const message = decodeMessage(bytes);
    if (name !== 'auth') packMembers.push(message);
    rows.push({
      name,
      decode: opsPerSecond(() => decodeMessage(bytes)),
      encode: opsPerSecond(() => encodeMessage(message)),
      decodeBytes: bytesPerOp(() => decodeMessage(bytes)),
    });
  }
  const pack = { type: 'messagePack' as const, messages: packMembers as never[] };
  const packBytes = encodeMessage(pack);
  const decodedPack = decodeMessage(packBytes);
  rows.push({
    name: `messagePack (${packMembers.length} msgs)`,
    decode: opsPerSecond(() => decodeMessage(packBytes)),
    encode: opsPerSecond(() => encodeMessage(decodedPack)),
    decodeBytes: bytesPerOp(() => decodeMessage(packBytes)),
  });
  // One call decodes the whole mix, one message after another (the harness's call costs as much as a decode).
  const mix = broadcastMix();
  const decodeMix = (): OdidMessage | undefined => {
    let last: OdidMessage | undefined;
    for (let i = 0; i < mix.length; i++) last = decodeMessage(mix[i]!);
    return last;
  };
  rows.push({
    name: `broadcast mix (${mix.length} messages: 6 location, 1 each of the others but the pack)`,
    decode: opsPerSecond(decodeMix) * mix.length,
    decodeBytes: bytesPerOp(decodeMix, 200_000) / mix.length,
  });
  return rows;
}

export function printCodec(rows: CodecRow[]): void {
  console.log('| message | decode | encode | decode allocates |\n|---|---|---|---|');
  for (const r of rows) console.log(`| ${r.name} | ${fmt(r.decode)} | ${r.encode === undefined ? '' : fmt(r.encode)} | ${fmtBytes(r.decodeBytes)} |`);
  console.log(
    '\nRates: best of 3 timed batches after a warm-up (harness.ts). Allocation: the heap V8 reports in use around ' +
      'every garbage collection of 2,000,000 decodes (harness.ts bytesPerOp), per decode.',
  );
}

// Run alone: node --conditions=@odid/source --import tsx packages/codec/bench/codec.bench.ts
if (process.argv[1]?.endsWith('codec.bench.ts')) printCodec(benchCodec());

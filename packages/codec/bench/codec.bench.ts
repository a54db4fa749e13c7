/** Messages per second for decode and encode of each message type and of a full message pack. */
import { decodeMessage, encodeMessage, fromHex, type OdidMessage } from '../src/index.js';
import { fmt, opsPerSecond } from './harness.js';

const SAMPLES: Record<string, string> = {
  basicId: '0212313538314635464a44323238343030583053324b000000',
  location: '122624160a42bf241b6ed1b4b69808ac0870084a63150e0100',
  auth: '22100128003fab013132333435363738393031323334353637',
  selfId: '320044726f6e65735255533a205265616c20457374617465 00'.replace(' ', ''),
  system: '4204a6bf241bd2d1b4b623000731092308 24f907003fab0100'.replace(' ', ''),
  operatorId: '520046494e38376173747264676531326b3800000000000000',
};

export function benchCodec(): { name: string; decode: number; encode: number }[] {
  const rows: { name: string; decode: number; encode: number }[] = [];
  const packMembers: OdidMessage[] = [];
  for (const [name, hex] of Object.entries(SAMPLES)) {
    const bytes = fromHex(hex);
    const message = decodeMessage(bytes);
    if (name !== 'auth') packMembers.push(message);
    rows.push({ name, decode: opsPerSecond(() => decodeMessage(bytes)), encode: opsPerSecond(() => encodeMessage(message)) });
  }
  const pack = { type: 'messagePack' as const, messages: packMembers as never[] };
  const packBytes = encodeMessage(pack);
  const decodedPack = decodeMessage(packBytes);
  rows.push({
    name: `messagePack (${packMembers.length} msgs)`,
    decode: opsPerSecond(() => decodeMessage(packBytes)),
    encode: opsPerSecond(() => encodeMessage(decodedPack)),
  });
  return rows;
}

export function printCodec(rows: ReturnType<typeof benchCodec>): void {
  console.log('| message | decode | encode |\n|---|---|---|');
  for (const r of rows) console.log(`| ${r.name} | ${fmt(r.decode)} | ${fmt(r.encode)} |`);
}

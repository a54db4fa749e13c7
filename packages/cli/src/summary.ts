/** Per-drone and per-transport counts of a decoded capture, for `--summary` and `--format table`. */

import { ALTITUDE_UNKNOWN, DIAGNOSTICS, displayText, type DiagnosticId, type ExtractStats, type ReceivedMessage } from '@odid/codec';

/**
 * IDs, operator IDs and descriptions are whatever a transmitter sent: shown escaped (no control character
 * reaches the terminal) and capped, to ID_MAX in the counts' column and TEXT_MAX in the per-drone view.
 */
const ID_MAX = 64;
const TEXT_MAX = 100;
const shown = (text: string, max = TEXT_MAX): string => displayText(text, { max });

interface Drone {
  id: string;
  transports: Set<string>;
  macs: Set<string>;
  messages: number;
  byType: Map<string, number>;
  last?: { latitude: number; longitude: number; altitudeGeo: number; speedHorizontal: number; direction: number; status: number };
  operatorId?: string;
  selfId?: string;
  firstT?: number;
  lastT?: number;
}

export class DroneSummary {
  private drones = new Map<string, Drone>();
  /** Until a Basic ID names it, a transmitter is known by its address. */
  private idByMac = new Map<string, string>();
  private byTransport = new Map<string, number>();

  add(m: ReceivedMessage): void {
    this.byTransport.set(m.transport, (this.byTransport.get(m.transport) ?? 0) + 1);
    const msg = m.message;
    const macKey = `${m.transport}/${m.mac}`;
    if (msg.type === 'basicId' && msg.uasId && !this.idByMac.has(macKey)) this.idByMac.set(macKey, msg.uasIdHex ?? msg.uasId);
    if ((msg.type === 'djiFlightInfo' || msg.type === 'djiFlightPurpose') && msg.serialNumber) this.idByMac.set(macKey, msg.serialNumber);
    const id = this.idByMac.get(macKey) ?? m.mac;
    let d = this.drones.get(id);
    if (!d) {
      d = { id, transports: new Set(), macs: new Set(), messages: 0, byType: new Map() };
      this.drones.set(id, d);
      // Lines counted under the address before the ID was known move to the ID.
      const early = this.drones.get(m.mac);
      if (early && early !== d) this.absorb(d, early);
    }
    d.transports.add(m.transport);
    d.macs.add(m.mac);
    d.messages++;
    d.byType.set(msg.type, (d.byType.get(msg.type) ?? 0) + 1);
    if (m.t !== undefined) {
      d.firstT ??= m.t;
      d.lastT = m.t;
    }
    if (msg.type === 'location') d.last = msg;
    if (msg.type === 'operatorId') d.operatorId = msg.operatorId;
    if (msg.type === 'selfId') d.selfId = msg.desc;
  }

  private absorb(into: Drone, from: Drone): void {
    for (const t of from.transports) into.transports.add(t);
    for (const a of from.macs) into.macs.add(a);
    into.messages += from.messages;
    for (const [k, v] of from.byType) into.byType.set(k, (into.byType.get(k) ?? 0) + v);
    into.last ??= from.last;
    into.firstT = from.firstT ?? into.firstT;
    this.drones.delete(from.id);
  }

  /** `captureDiagnostics`: the capture reader's diagnostics by id, listed with the frames' (stats.diagnostics). */
  counts(stats: ExtractStats, captureDiagnostics: Partial<Record<DiagnosticId, number>> = {}): string {
    const lines = ['transport      messages'];
    for (const [t, n] of [...this.byTransport].sort()) lines.push(`${shown(t).padEnd(14)} ${String(n).padStart(8)}`);
    lines.push('', 'drone                            messages  transports');
    for (const d of this.drones.values()) lines.push(`${shown(d.id, ID_MAX).padEnd(32)} ${String(d.messages).padStart(8)}  ${shown([...d.transports].join(','))}`);
    const dropped = Object.entries(stats.dropped);
    lines.push('', `frames ${stats.records}, with Remote ID ${stats.remoteIdFrames}, messages ${stats.messages}`);
    if (dropped.length) lines.push(`dropped: ${shown(dropped.map(([k, v]) => `${k} ${v}`).join(', '))}`);
    // Link layer names and element kinds are the codec's own words, never a transmitter's.
    const linkWarnings = Object.entries(stats.linkWarnings);
    if (linkWarnings.length) lines.push(`link warnings: ${linkWarnings.map(([k, v]) => `${k} ${v}`).join(', ')}`);
    const truncated = Object.entries(stats.truncatedElements);
    if (truncated.length) lines.push(`truncated elements: ${truncated.map(([k, v]) => `${k} ${v}`).join(', ')}`);
    lines.push(...diagnosticCounts({ ...captureDiagnostics, ...stats.diagnostics }));
    return lines.join('\n') + '\n';
  }

  table(): string {
    const rows = [...this.drones.values()];
    if (!rows.length) return 'no Remote ID transmitters found\n';
    const out: string[] = [];
    for (const d of rows) {
      out.push(shown(d.id));
      out.push(`  transports ${shown([...d.transports].join(', '))}   addresses ${shown([...d.macs].join(', '))}`);
      out.push(`  messages   ${d.messages} (${shown([...d.byType].map(([k, v]) => `${k} ${v}`).join(', '))})`);
      if (d.last) {
        const l = d.last;
        const pos = l.latitude === 0 && l.longitude === 0 ? 'unknown' : `${l.latitude.toFixed(6)}, ${l.longitude.toFixed(6)}`;
        const alt = l.altitudeGeo === ALTITUDE_UNKNOWN ? 'unknown' : `${l.altitudeGeo} m`;
        const spd = l.speedHorizontal === 255 ? 'unknown' : `${l.speedHorizontal} m/s`;
        const dir = l.direction === 361 ? 'unknown' : `${l.direction}°`;
        out.push(`  last fix   ${pos}  alt ${alt}  speed ${spd}  track ${dir}  status ${STATUS[l.status] ?? l.status}`);
      }
      if (d.operatorId) out.push(`  operator   ${shown(d.operatorId)}`);
      if (d.selfId) out.push(`  self-ID    ${shown(d.selfId)}`);
      if (d.firstT !== undefined && d.lastT !== undefined) {
        out.push(`  seen       ${new Date(d.firstT * 1000).toISOString()} .. ${new Date(d.lastT * 1000).toISOString()}`);
      }
      out.push('');
    }
    return out.join('\n');
  }
}

/** Every diagnostic raised, by id, in catalogue order (capture, link, framing, message); nothing when none was. */
function diagnosticCounts(counts: Partial<Record<DiagnosticId, number>>): string[] {
  const ids = (Object.keys(DIAGNOSTICS) as DiagnosticId[]).filter((id) => counts[id]);
  if (ids.length === 0) return [];
  const width = Math.max(...ids.map((id) => id.length), 'diagnostic'.length);
  const row = (id: string, count: string, severity: string): string => `${id.padEnd(width)} ${count.padStart(8)}  ${severity}`;
  return ['', row('diagnostic', 'count', 'severity'), ...ids.map((id) => row(id, String(counts[id]), DIAGNOSTICS[id].severity))];
}

const STATUS = ['undeclared', 'ground', 'airborne', 'emergency', 'system failure'];

/**
 * Everything the receiver knows about one track, every decoded field with its unit or meaning: identity
 * (every Basic ID), flags with what each means (the tracker's own texts, TRACK_FLAGS) and the spoofing
 * evidence, Location, System, operator, Self-ID, authentication (with rid-scan --trust, the DRIP verdict and
 * its reason), DJI and French records, signal per radio link, message rates, and the time since it was last
 * heard, ticking. All text is inserted as text.
 */

import { TRACK_FLAGS } from '../src/tracker/flags.js';
import { h } from './dom.js';
import { ID_TYPE, UA_TYPE, agoText, air, bearingText, coordText, distanceText, fieldText, isoTime } from './format.js';
import { STATUS_COLOR, STATUS_TEXT, labelOf, statusOf } from './model.js';
import type { PageTrack, TrackSummary } from './store.js';

export interface DetailsOptions {
  onClose: () => void;
  onCentre: (key: string) => void;
  now: () => number;
}

type Row = [label: string, value: string, field?: string];

export class Details {
  readonly root: HTMLElement;
  private readonly body: HTMLElement;
  private readonly title: HTMLElement;
  private readonly heard: HTMLElement;
  /** What the title and the "last heard" line are of (the whole track, or its summary while the rest comes). */
  private track: Pick<PageTrack, 'key' | 'lastSeen' | 'state'> | undefined;
  private source = 'live';
  private note = '';

  constructor(private readonly opts: DetailsOptions) {
    this.title = h('h2', { class: 'details-title', id: 'details-title' });
    this.heard = h('span', { class: 'details-heard', id: 'details-heard', 'aria-live': 'off' });
    const close = h('button', { type: 'button', class: 'icon-button', id: 'details-close', title: 'Close details', 'aria-label': 'Close details' }, '✕');
    close.addEventListener('click', () => this.opts.onClose());
    const centre = h('button', { type: 'button', class: 'small-button', id: 'details-centre', title: 'Show on the map' }, 'Show on map');
    centre.addEventListener('click', () => this.track && this.opts.onCentre(this.track.key));
    this.body = h('div', { class: 'details-body', id: 'details-body' });
    this.root = h('div', { class: 'details' }, h('div', { class: 'details-head' }, this.title, centre, close), this.heard, this.body);
  }

  get key(): string | undefined {
    return this.track?.key;
  }

  /**
   * Shows a track (undefined: it went away; the last state stays, marked gone). `note`: said after the
   * "last heard" line (a replay's past: which fields are of the slider's time).
   */
  show(t: PageTrack | undefined, source = 'live', note = ''): void {
    if (!t) {
      if (this.track) this.heard.textContent = 'no longer tracked (merged into another track, or forgotten)';
      return;
    }
    this.track = t;
    this.source = source;
    this.note = note;
    this.title.textContent = air(labelOf(t), 48);
    this.tick();
    this.body.replaceChildren(...this.sections(t));
  }

  /** A live track whose whole has not come yet: its name and state now, the fields when the receiver sends them. */
  pending(t: TrackSummary): void {
    const same = this.track?.key === t.key && this.source === 'live';
    this.track = t;
    this.source = 'live';
    this.note = '';
    this.title.textContent = air(labelOf(t), 48);
    this.tick();
    if (!same || !this.body.querySelector('.details-pending')) this.body.replaceChildren(h('p', { class: 'details-pending muted' }, 'asking the receiver for every field of this drone…'));
  }

  tick(): void {
    const t = this.track;
    if (!t) return;
    const text = `${this.source === 'live' ? '' : `from ${this.source} · `}last heard ${agoText(this.opts.now() - t.lastSeen)} · ${t.state}${this.note ? ` · ${this.note}` : ''}`;
    if (this.heard.textContent !== text) this.heard.textContent = text;
  }

  private sections(t: PageTrack): HTMLElement[] {
    const out: HTMLElement[] = [];
    const status = statusOf(t);
    const swatch = h('span', { class: 'swatch' });
    swatch.style.backgroundColor = STATUS_COLOR[status];
    out.push(h('p', { class: `details-status status-${status}`, 'data-field': 'status' }, swatch, ` ${STATUS_TEXT[status]}`));

    // Flags first: they are why an officer looks.
    // Each spoofing flag with its evidence, in the tracker's words (the words quote what the drone sent: as text).
    const evidence = new Map((t.spoofing ?? []).map((e, i) => [e.flag as string, { e, i }]));
    const flags = h('ul', { class: 'flags', 'data-field': 'flags' });
    for (const f of t.flags) {
      const text = (TRACK_FLAGS as Record<string, string>)[f] ?? '';
      const li = h('li', { class: `flag flag-${f}`, 'data-flag': f }, h('strong', null, f), text ? `: ${text}` : '');
      const found = evidence.get(f);
      if (found) li.appendChild(h('span', { class: 'flag-evidence', 'data-field': `spoofing.${found.i}.detail` }, ` — ${air(found.e.detail, 300)}`));
      flags.appendChild(li);
    }
    if (t.flags.length === 0) flags.appendChild(h('li', { class: 'flag-none' }, 'no flags raised'));
    const flagSection: HTMLElement[] = [flags];
    // Every piece of evidence the track holds, also of flags that have cleared since.
    (t.spoofing ?? []).forEach((e, i) => {
      const raised = t.flags.includes(e.flag);
      flagSection.push(
        table(
          `spoofing.${i}`,
          [
            ['evidence', air(e.detail, 300), `spoofing.${i}.detail`],
            ['numbers', Object.entries(e.values).map(([k, v]) => `${k} ${v}`).join(', ') || '—', `spoofing.${i}.values`],
            ['addresses', e.addresses.join(', ') || '—', `spoofing.${i}.addresses`],
            ...(e.ids ? [['IDs', e.ids.map((id) => air(id, 40)).join(', '), `spoofing.${i}.ids`] as Row] : []),
            ['seen', `${e.count} time${e.count === 1 ? '' : 's'}, ${isoTime(e.since)} to ${isoTime(e.t)}`, `spoofing.${i}.t`],
          ],
          `${e.flag}${raised ? '' : ' (cleared)'}`,
        ),
      );
    });
    if (t.authorised !== undefined || t.zones !== undefined || t.operatorZones !== undefined) {
      flagSection.push(
        table('allow', [
          ['allow-list', t.authorised === undefined ? '—' : t.authorised ? 'authorised' : 'not authorised (not on the allow-list, or none given)', 'authorised'],
          ['drone in zones', t.zones?.length ? t.zones.map((z) => air(z, 60)).join(', ') : 'none', 'zones'],
          ['operator in zones', t.operatorZones?.length ? t.operatorZones.map((z) => air(z, 60)).join(', ') : 'none', 'operatorZones'],
        ]),
      );
    }
    out.push(section('Flags', 'flags', ...flagSection));

    // Identity.
    const ident: Row[] = [
      ['UAS ID', air(t.uasId), 'uasId'],
      ['ID type', t.idType === null ? '—' : ID_TYPE(t.idType), 'idType'],
      ['UA type', t.uaType === null ? '—' : UA_TYPE(t.uaType), 'uaType'],
      ['track', t.key, 'key'],
      ['addresses', t.addresses.join(', ') || '—', 'addresses'],
      ['transports', t.transports.join(', ') || '—', 'transports'],
      ['messages', String(t.messages), 'messages'],
      ['first heard', isoTime(t.firstSeen), 'firstSeen'],
      ['last heard', isoTime(t.lastSeen), 'lastSeen'],
      ['state', t.state, 'state'],
    ];
    const ids = t.ids.map((m, i) => table(`ids.${i}`, messageRows('basicId', m as unknown as Record<string, unknown>, `ids.${i}`), `Basic ID ${i + 1}`));
    out.push(section('Identity', 'identity', table('identity', ident), ...ids));

    // Where.
    const where: Row[] = [];
    if (t.position) {
      where.push(['position', coordText(t.position.lat, t.position.lon), 'position']);
      if (t.position.alt !== undefined) where.push(['altitude', `${t.position.alt} m`, 'position.alt']);
      if (t.position.speed !== undefined) where.push(['speed', `${t.position.speed} m/s`, 'position.speed']);
      if (t.position.course !== undefined) where.push(['course', `${t.position.course}°`, 'position.course']);
      where.push(['position time', isoTime(t.position.t), 'position.t']);
    } else {
      where.push(['position', 'not received yet', 'position']);
    }
    if (t.distance !== undefined) where.push(['from receiver', `${distanceText(t.distance)} ${bearingText(t.bearing)}`, 'distance']);
    const whereTables = [table('where', where)];
    if (t.location) whereTables.push(table('location', messageRows('location', t.location as unknown as Record<string, unknown>, 'location'), 'Location message'));
    out.push(section('Position', 'position', ...whereTables));

    // Operator and system.
    const op: Row[] = [['operator ID', air(t.operatorId), 'operatorId']];
    if (t.operator) {
      op.push(['operator position', coordText(t.operator.lat, t.operator.lon), 'operator']);
      op.push(['source', t.operator.source, 'operator.source']);
      if (t.operator.alt !== undefined) op.push(['operator altitude', `${t.operator.alt} m`, 'operator.alt']);
    }
    if (t.operatorDistance !== undefined) op.push(['from receiver', `${distanceText(t.operatorDistance)} ${bearingText(t.operatorBearing)}`, 'operatorDistance']);
    if (t.home) op.push(['home point', `${coordText(t.home.lat, t.home.lon)} (${t.home.source})`, 'home']);
    const opTables = [table('operator', op)];
    if (t.system) opTables.push(table('system', messageRows('system', t.system as unknown as Record<string, unknown>, 'system'), 'System message'));
    out.push(section('Operator', 'operator', ...opTables));

    out.push(section('Self-ID', 'selfId', table('selfId', [['description', air(t.selfId, 60), 'selfId']])));

    if (t.auth || t.authMissing || t.drip) {
      const rows: Row[] = t.auth ? messageRows('auth', t.auth as unknown as Record<string, unknown>, 'auth') : [];
      if (t.authMissing) rows.push(['pages missing', t.authMissing.join(', '), 'authMissing']);
      const tables = rows.length ? [table('auth', rows)] : [];
      const d = t.drip;
      if (d) {
        const drip: Row[] = [
          ['DRIP', d.state, 'drip.state'],
          ['why', air(d.reason, 400), 'drip.reason'],
        ];
        if (d.det) drip.push(['DET announced', d.det, 'drip.det']);
        if (d.chain.length) drip.push(['endorsed by', d.chain.slice(1).join(' ← '), 'drip.chain']);
        if (d.recoveredPages) drip.push(['pages rebuilt (FEC)', String(d.recoveredPages), 'drip.recoveredPages']);
        tables.push(table('drip', drip, 'DRIP (RFC 9575), checked against the trust store'));
      }
      out.push(section('Authentication', 'auth', ...tables));
    }

    // Signal.
    const links = t.links.map((l, i) => {
      const rows: Row[] = [
        ['transport', l.transport, `links.${i}.transport`],
        ['address', l.address, `links.${i}.address`],
        ['RSSI', l.rssi === undefined ? '—' : `${l.rssi} dBm${l.rssiSmoothed !== undefined ? ` (smoothed ${l.rssiSmoothed} dBm)` : ''}`, `links.${i}.rssi`],
        ['channel', l.channel === undefined ? '—' : String(l.channel), `links.${i}.channel`],
        ['messages', String(l.messages), `links.${i}.messages`],
        ['heard', `${isoTime(l.firstSeen)} – ${isoTime(l.lastSeen)}`, `links.${i}.lastSeen`],
      ];
      for (const [stream, c] of Object.entries(l.counters)) {
        rows.push([
          `counter ${stream}`,
          `${c.received} received, ${c.missed} missed, ${c.repeats} repeats, ${c.resets} resets${c.loss !== undefined ? `, loss ${(c.loss * 100).toFixed(1)} %` : ''}, last ${c.last}`,
          `links.${i}.counters.${stream}`,
        ]);
      }
      return table(`links.${i}`, rows, `${l.transport} ${l.address}`);
    });
    const rssi: Row[] = t.rssi === undefined ? [] : [['latest RSSI', `${t.rssi} dBm`, 'rssi']];
    out.push(section('Signal', 'links', ...(rssi.length ? [table('rssi', rssi)] : []), ...links));

    const rates = Object.entries(t.rates).map(([k, v]): Row => [k, `${v}/s`, `rates.${k}`]);
    out.push(section('Message rates (last 10 s)', 'rates', table('rates', rates.length ? rates : [['—', 'none', 'rates']])));

    if (t.dji) out.push(section('DJI DroneID', 'dji', table('dji', messageRows('dji', t.dji as unknown as Record<string, unknown>, 'dji'))));
    if (t.djiPurpose) out.push(section('DJI flight purpose', 'djiPurpose', table('djiPurpose', messageRows('djiPurpose', t.djiPurpose as unknown as Record<string, unknown>, 'djiPurpose'))));
    if (t.frenchId) out.push(section('French ID', 'frenchId', table('frenchId', messageRows('frenchId', t.frenchId as unknown as Record<string, unknown>, 'frenchId'))));
    return out;
  }
}

/** Every field of a decoded message, as it came, with its unit or meaning. */
function messageRows(group: string, m: Record<string, unknown>, prefix: string): Row[] {
  return Object.entries(m)
    .filter(([k]) => k !== 'type')
    .map(([k, v]): Row => [k, fieldText(group, k, v), `${prefix}.${k}`]);
}

function section(title: string, id: string, ...content: HTMLElement[]): HTMLElement {
  return h('section', { class: 'details-section', 'data-section': id }, h('h3', null, title), ...content);
}

function table(id: string, rows: Row[], caption?: string): HTMLElement {
  return h(
    'table',
    { class: 'fields', 'data-table': id },
    caption ? h('caption', null, caption) : null,
    h('tbody', null, ...rows.map(([label, value, field]) => h('tr', { 'data-field': field }, h('th', { scope: 'row' }, label), h('td', null, value)))),
  );
}


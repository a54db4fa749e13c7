/**
 * A capture file dropped onto the page, or chosen with the file button, is decoded here in the browser by
 * @odid/codec (capture-decode.ts): nothing is uploaded. Its tracks go on the map (dashed, beside the live
 * ones) and every message into a table with every field, as `odid decode` prints them.
 */

import { decodeCapture, flatten, type DecodedCapture } from './capture-decode.js';
import { h } from './dom.js';
import { air, clockTime } from './format.js';
import { labelOf } from './model.js';

/** Rows added to the table per "show more". */
const PAGE_ROWS = 500;
/** Files larger than this are refused (the whole file is read into memory). */
export const MAX_FILE_BYTES = 512 * 1024 * 1024;

export interface DropOptions {
  /** A capture was decoded (or closed: undefined). */
  onDecoded: (c: DecodedCapture | undefined) => void;
  onSelectTrack: (key: string) => void;
}

export class CaptureDrop {
  readonly root: HTMLElement;
  readonly fileButton: HTMLElement;
  readonly overlay: HTMLElement;
  private readonly input: HTMLInputElement;
  private readonly summary: HTMLElement;
  private readonly trackList: HTMLElement;
  private readonly table: HTMLTableSectionElement;
  private readonly more: HTMLButtonElement;
  private capture: DecodedCapture | undefined;
  private shownRows = 0;
  private dragDepth = 0;
  /** Set while a file is being decoded (tests wait on it). */
  busy: Promise<void> | undefined;

  constructor(private readonly opts: DropOptions) {
    this.input = h('input', { type: 'file', id: 'capture-file', accept: '.pcap,.pcapng,.cap,.btsnoop,.log,.gz,.zst,.lz4,application/vnd.tcpdump.pcap,application/gzip', class: 'visually-hidden' });
    const label = h('label', { for: 'capture-file', class: 'tool-button', id: 'capture-file-label', title: 'Decode a capture file here, in this browser (nothing is uploaded)' }, 'Open capture');
    this.fileButton = h('span', { class: 'file-tool' }, this.input, label);
    this.input.addEventListener('change', () => {
      const f = this.input.files?.[0];
      if (f) this.busy = this.open(f);
      this.input.value = '';
    });
    this.overlay = h('div', { class: 'drop-overlay', id: 'drop-overlay', hidden: true }, h('p', null, 'Drop a pcap, pcapng or btsnoop capture (or one compressed with gzip, zstd or lz4): it is decoded in this browser, nothing is uploaded'));

    this.summary = h('p', { class: 'capture-summary', id: 'capture-summary' });
    this.trackList = h('ul', { class: 'capture-tracks', id: 'capture-tracks' });
    this.table = h('tbody');
    this.more = h('button', { type: 'button', class: 'small-button', id: 'capture-more', hidden: true }, 'Show more');
    this.more.addEventListener('click', () => this.addRows());
    const close = h('button', { type: 'button', class: 'icon-button', id: 'capture-close', title: 'Close the capture', 'aria-label': 'Close the capture' }, '✕');
    close.addEventListener('click', () => this.close());
    const head = h(
      'thead',
      null,
      h('tr', null, ...['#', 'time (UTC)', 'frame', 'transport', 'address', 'RSSI', 'ch', 'counter', 'message'].map((c) => h('th', { scope: 'col' }, c))),
    );
    this.root = h(
      'div',
      { class: 'capture' },
      h('div', { class: 'capture-head' }, h('h2', null, 'Capture'), close),
      this.summary,
      h('h3', null, 'Tracks'),
      this.trackList,
      h('h3', null, 'Messages'),
      h('div', { class: 'table-scroll' }, h('table', { class: 'messages', id: 'capture-messages' }, head, this.table)),
      this.more,
    );

    window.addEventListener('dragenter', (e) => {
      if (!hasFiles(e)) return;
      e.preventDefault();
      this.dragDepth++;
      this.overlay.hidden = false;
    });
    window.addEventListener('dragover', (e) => {
      if (!hasFiles(e)) return;
      e.preventDefault();
      if (e.dataTransfer) e.dataTransfer.dropEffect = 'copy';
    });
    window.addEventListener('dragleave', () => {
      this.dragDepth = Math.max(0, this.dragDepth - 1);
      if (this.dragDepth === 0) this.overlay.hidden = true;
    });
    window.addEventListener('drop', (e) => {
      e.preventDefault();
      this.dragDepth = 0;
      this.overlay.hidden = true;
      const f = e.dataTransfer?.files?.[0];
      if (f) this.busy = this.open(f);
    });
  }

  get current(): DecodedCapture | undefined {
    return this.capture;
  }

  async open(file: File): Promise<void> {
    if (file.size > MAX_FILE_BYTES) {
      this.summary.textContent = `${air(file.name, 80)}: ${Math.round(file.size / 1e6)} MB is more than this page reads (${MAX_FILE_BYTES / 1e6} MB); use odid decode`;
      this.opts.onDecoded(undefined);
      return;
    }
    this.summary.textContent = `decoding ${air(file.name, 80)}…`;
    this.table.replaceChildren();
    this.trackList.replaceChildren();
    this.opts.onDecoded(undefined);
    try {
      const bytes = new Uint8Array(await file.arrayBuffer());
      const c = await decodeCapture(file.name, bytes, (done, total) => {
        this.summary.textContent = `decoding ${air(file.name, 80)}… ${Math.round((100 * done) / total)} %`;
      });
      this.capture = c;
      this.shownRows = 0;
      const s = c.stats;
      const dropped = Object.entries(s.dropped).map(([k, v]) => `${v} ${k}`);
      this.summary.textContent =
        `${air(c.name, 80)} (${c.format ?? 'not a capture'}${c.compression ? `, ${c.compression}` : ''}, ${c.bytes} bytes): ${s.records} frames, ${s.remoteIdFrames} with Remote ID, ${c.messageCount} messages, ${c.tracks.length} tracks` +
        (dropped.length ? `; dropped ${dropped.join(', ')}` : '') +
        (c.warnings.length ? `; ${c.warnings.length} warnings (first: ${c.warnings[0]})` : '') +
        (c.messageCount > c.lines.length ? `; the table lists the first ${c.lines.length}` : '') +
        '. Decoded in this browser; nothing was uploaded.';
      for (const t of c.tracks) {
        const li = h('li', { class: 'capture-track', 'data-key': t.key, tabindex: 0, role: 'button' }, h('strong', null, air(labelOf(t), 40)), ` ${t.messages} messages, ${t.flags.length ? t.flags.join(', ') : 'no flags'}`);
        li.addEventListener('click', () => this.opts.onSelectTrack(t.key));
        this.trackList.appendChild(li);
      }
      if (c.tracks.length === 0) this.trackList.appendChild(h('li', null, 'none'));
      this.addRows();
      this.opts.onDecoded(c);
    } catch (e) {
      this.summary.textContent = `${air(file.name, 80)}: ${(e as Error).message}`;
    }
  }

  close(): void {
    this.capture = undefined;
    this.table.replaceChildren();
    this.trackList.replaceChildren();
    this.more.hidden = true;
    this.opts.onDecoded(undefined);
  }

  private addRows(): void {
    const c = this.capture;
    if (!c) return;
    const end = Math.min(c.messages.length, this.shownRows + PAGE_ROWS);
    const rows: HTMLElement[] = [];
    for (let i = this.shownRows; i < end; i++) {
      const m = c.messages[i]!;
      const fields = flatten(m.message)
        .filter(([k]) => k !== 'type')
        .map(([k, v]) => `${k}=${typeof v === 'string' ? air(v, 80) : Array.isArray(v) ? v.map((x) => (typeof x === 'string' ? air(x, 80) : String(x))).join('; ') : String(v)}`)
        .join('  ');
      rows.push(
        h(
          'tr',
          { 'data-line': i, class: 'msg-head' },
          h('td', null, i + 1),
          h('td', null, m.t === undefined ? '—' : clockTime(m.t)),
          h('td', null, m.frame ?? '—'),
          h('td', null, m.transport),
          h('td', null, m.mac),
          h('td', null, m.rssi ?? ''),
          h('td', null, m.channel ?? ''),
          h('td', null, m.counter ?? ''),
          h('td', null, m.message.type),
        ),
        // Every field of the message on a line of its own, under its envelope.
        h('tr', { class: 'msg-fields', 'data-fields': i }, h('td', { colspan: 9, class: 'fields-cell' }, fields)),
      );
    }
    this.table.append(...rows);
    this.shownRows = end;
    this.more.hidden = end >= c.messages.length;
    this.more.textContent = `Show more (${c.messages.length - end} left)`;
  }
}

function hasFiles(e: DragEvent): boolean {
  return Boolean(e.dataTransfer?.types?.includes('Files'));
}

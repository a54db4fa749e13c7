/**
 * report.html: one self-contained page (inline CSS and SVG, no script, nothing fetched) for a case file:
 * summary, verification verdicts, map, timeline, altitude and speed over time, every field of the latest
 * message of each type, and the message list. Everything that came from the air or from a file is shown
 * through displayText (control characters made visible, length capped) and then HTML-escaped.
 */

import { displayText } from '@odid/codec';
import { TRACK_FLAGS } from '../tracker/flags.js';
import type { PointJson, TrackJson } from '../tracker/track-json.js';
import { MAX_REPORT_MESSAGES, type Extracted, type MessageJson } from './extract.js';
import { escapeHtml, mapSvg, plotSvg, timelineSvg, type MapPoint } from './svg.js';
import type { RecordingVerification } from './verification.js';

/** Longest text shown in one cell (code points, cut marker included). */
const CELL_MAX = 300;
/** Fields listed per message type (a 255-byte authentication has many). */
const FIELDS_MAX = 400;

/** Text from outside: control characters visible, capped, HTML-escaped. */
const text = (s: string, max = CELL_MAX): string => escapeHtml(displayText(s, { max }));
const iso = (t: number | null | undefined): string => (typeof t === 'number' && Number.isFinite(t) ? new Date(t * 1000).toISOString() : 'unknown');

export interface ReportInput {
  uasId: string;
  tracks: readonly TrackJson[];
  histories: readonly (readonly PointJson[])[];
  verifications: readonly RecordingVerification[];
  extracted: Extracted;
  created: number;
  software: string;
}

const STYLE = `body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#222;max-width:1200px}
h1{font-size:1.5em}h2{font-size:1.2em;border-bottom:1px solid #ccc;margin-top:1.6em}
table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ddd;padding:2px 6px;text-align:left;vertical-align:top}
th{background:#f0f0f0}.mono{font-family:ui-monospace,monospace;font-size:12px;word-break:break-all}
.bad{background:#fdd;border:2px solid #c00;padding:.5em;font-weight:bold}.good{background:#dfd;border:1px solid #393;padding:.5em}
.warn{background:#ffe9c2;border:1px solid #d80;padding:.5em}svg{display:block;max-width:100%;height:auto;margin:.5em 0}`;

export function renderReport(r: ReportInput): string {
  const out: string[] = [];
  const main = r.tracks[0];
  out.push(
    '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">',
    // Nothing may be fetched from the page: a policy that forbids it, besides there being nothing to fetch.
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">`,
    `<title>Case file: ${text(r.uasId, 80)}</title><style>${STYLE}</style></head><body>`,
    `<h1>Case file: UAS <span class="mono">${text(r.uasId)}</span></h1>`,
    `<p>Made ${iso(r.created)} by ${text(r.software)}. ${r.tracks.length} track${r.tracks.length === 1 ? '' : 's'}, ${r.extracted.frames} frames, ${r.extracted.messages} decoded messages.</p>`,
  );

  out.push('<h2>Verification of the original recordings</h2>');
  const failed = r.verifications.filter((v) => !v.verified);
  if (failed.length) out.push(`<p class="bad">WARNING: ${failed.length} of ${r.verifications.length} recordings did NOT verify: what comes from ${failed.length === 1 ? 'it' : 'them'} is not proven unaltered.</p>`);
  else out.push(`<p class="good">Every recording verified: complete and unaltered.</p>`);
  out.push('<table><tr><th>Recording</th><th>Verdict</th><th>SHA-256 of the file</th><th>Signer key</th></tr>');
  for (const v of r.verifications) {
    out.push(`<tr class="${v.verified ? '' : 'bad'}"><td class="mono">${text(v.name)}</td><td>${text(v.verdict, 1000)}</td><td class="mono">${v.sha256}</td><td class="mono">${text(v.signer ?? 'none')}</td></tr>`);
  }
  out.push('</table>');

  out.push('<h2>Summary</h2>');
  r.tracks.forEach((t, i) => out.push(trackSummary(t, i, r.tracks.length)));

  out.push('<h2>Map</h2>');
  const marks: { at: MapPoint; label: string; colour: string }[] = [];
  for (const t of r.tracks) {
    if (t.operator) marks.push({ at: t.operator, label: 'operator', colour: '#8e44ad' });
    if (t.home) marks.push({ at: t.home, label: 'home', colour: '#16a085' });
  }
  out.push(mapSvg(r.histories, marks));
  out.push('<p>Green: first position; red: last. Positions are those the drone reported, not measured ones.</p>');

  out.push('<h2>Timeline</h2>');
  const byLink = new Map<string, number[]>();
  for (const m of r.extracted.listed) {
    const key = `${String(m.transport)} ${String(m.mac)}`;
    const times = byLink.get(key) ?? [];
    if (typeof m.t === 'number') times.push(m.t);
    byLink.set(key, times);
  }
  const events = r.tracks.flatMap((t) => (t.spoofing ?? []).map((e) => ({ t: e.t, label: `${e.flag}: ${displayText(e.detail, { max: CELL_MAX })}` })));
  out.push(timelineSvg([...byLink].map(([label, times]) => ({ label: displayText(label, { max: 40 }), times })), events));
  out.push('<p>Bars: when each radio link was heard (gaps over 5 s break a bar). Dashed lines: the latest evidence of each flag raised.</p>');

  out.push('<h2>Altitude and speed</h2>');
  const points = r.histories.flat().sort((a, b) => a.t - b.t);
  out.push(plotSvg(points.flatMap((p) => (p.alt !== undefined ? [{ t: p.t, v: p.alt }] : [])), 'Altitude', 'm'));
  out.push(plotSvg(points.flatMap((p) => (p.speed !== undefined ? [{ t: p.t, v: p.speed }] : [])), 'Ground speed', 'm/s'));

  out.push('<h2>Latest message of each type: every field</h2>');
  for (const [type, m] of [...r.extracted.latest].sort(([a], [b]) => a.localeCompare(b))) {
    out.push(`<h3>${text(type)} <small>(${r.extracted.countByType.get(type) ?? 0} received; this one at ${iso(m.t as number)})</small></h3>`);
    out.push('<table><tr><th>Field</th><th>Value</th></tr>');
    const fields = flatten(m, '');
    for (const [k, v] of fields.slice(0, FIELDS_MAX)) out.push(`<tr><td class="mono">${text(k)}</td><td class="mono">${text(v)}</td></tr>`);
    if (fields.length > FIELDS_MAX) out.push('<tr><td colspan="2">… more fields: messages.jsonl has them all</td></tr>');
    out.push('</table>');
  }

  out.push('<h2>Every message</h2>');
  const shown = r.extracted.listed.length;
  if (r.extracted.messages > shown) {
    const counts = [...r.extracted.countByType].map(([k, v]) => `${text(k)}: ${v}`).join(', ');
    out.push(`<p class="warn">Only the first ${MAX_REPORT_MESSAGES} of ${r.extracted.messages} messages are listed here; messages.jsonl has them all. All messages by type: ${counts}.</p>`);
  }
  out.push('<table><tr><th>#</th><th>Time (UTC)</th><th>Recording, frame</th><th>Transport</th><th>Address</th><th>RSSI</th><th>Type</th><th>Content</th></tr>');
  r.extracted.listed.forEach((m, i) => {
    const msg = (m.message ?? {}) as Record<string, unknown>;
    const { type, ...rest } = msg;
    out.push(
      `<tr><td>${i + 1}</td><td>${iso(m.t as number)}</td><td class="mono">${text(m.recording)} #${m.recordingFrame}</td><td>${text(String(m.transport))}</td><td class="mono">${text(String(m.mac))}</td><td>${typeof m.rssi === 'number' ? m.rssi : ''}</td><td>${text(String(type))}</td><td class="mono">${text(flatten(rest, '').map(([k, v]) => `${k}=${v}`).join(' '))}</td></tr>`,
    );
  });
  out.push('</table>');
  if (main === undefined) out.push('<p>No track.</p>');
  out.push('</body></html>\n');
  return out.join('\n');
}

function trackSummary(t: TrackJson, i: number, of: number): string {
  const rows: [string, string][] = [
    ['Track', `${t.key}${of > 1 ? ` (${i + 1} of ${of})` : ''}`],
    ['UAS ID (preferred)', t.uasId ?? 'none'],
    ...t.ids.map((b): [string, string] => [`Basic ID type ${b.idType}`, String(b.uasIdHex ?? b.uasId ?? '')]),
    ['Operator ID', t.operatorId ?? 'none'],
    ['Self-ID', t.selfId ?? 'none'],
    ['Operator position', t.operator ? `${t.operator.lat.toFixed(6)}, ${t.operator.lon.toFixed(6)} (${t.operator.source})` : 'unknown'],
    ['Home', t.home ? `${t.home.lat.toFixed(6)}, ${t.home.lon.toFixed(6)} (${t.home.source})` : 'unknown'],
    ['First heard', iso(t.firstSeen)],
    ['Last heard', iso(t.lastSeen)],
    ['Messages', String(t.messages)],
    ['Addresses', t.addresses.join(', ')],
    ['Transports', t.transports.join(', ')],
    ...(t.flags.length ? t.flags.map((f): [string, string] => [`Flag ${f}`, TRACK_FLAGS[f]]) : [['Flags', 'none'] as [string, string]]),
  ];
  const table = `<table>${rows.map(([k, v]) => `<tr><th>${escapeHtml(k)}</th><td class="mono">${text(v)}</td></tr>`).join('')}</table>`;
  const evidence = (t.spoofing ?? []).map((e) => `<li><b>${text(e.flag)}</b> (${e.count}×, ${iso(e.since)} – ${iso(e.t)}): ${text(e.detail, 1000)}</li>`);
  return table + (evidence.length ? `<p>Evidence for the flags:</p><ul>${evidence.join('')}</ul>` : '');
}

/** A JSON value's leaves as [path, value] pairs, values as text. */
function flatten(v: unknown, at: string, out: [string, string][] = []): [string, string][] {
  if (out.length > FIELDS_MAX) return out;
  if (Array.isArray(v)) v.forEach((x, i) => flatten(x, `${at}[${i}]`, out));
  else if (v !== null && typeof v === 'object') for (const [k, x] of Object.entries(v)) flatten(x, at ? `${at}.${k}` : k, out);
  else out.push([at, typeof v === 'string' ? v : String(v)]);
  return out;
}

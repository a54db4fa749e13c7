/**
 * The hub's receivers as a table (rid-hub's live footer and closing lines): one row per receiver with its
 * state, frames, frames/s, what it heard first and what others heard first, late frames, lost and refused
 * batches, its clock against the hub's, its spool and its position.
 *
 *   RECEIVER    STATE    FRAMES   F/S  SHARED  LATE  LOST  BAD  CLOCK            SPOOL     POSITION
 *   north-gate  online    12034  48.2    8011     0     0    0  +0.004 s         0         52.51230 13.23010
 */

import type { ReceiverView } from './receivers.js';

/** How long a receiver may be silent before it shows as such (its status comes every 5 s). */
export const SILENT_AFTER_MS = 15_000;

export function receiverState(r: ReceiverView, hubMs: number): string {
  if (!r.online) return 'offline';
  const silent = hubMs - r.lastHeard;
  return silent > SILENT_AFTER_MS ? `silent ${Math.round(silent / 1000)}s` : 'online';
}

/** "+0.004 s", "-3600.2 s corrected", "?" before the first fresh message. */
export function clockText(r: ReceiverView): string {
  if (r.offsetMs === undefined) return '?';
  const s = r.offsetMs / 1000;
  return `${s >= 0 ? '+' : ''}${Math.abs(s) >= 10 ? s.toFixed(1) : s.toFixed(3)} s${r.corrected ? ' corrected' : ''}`;
}

function spoolText(r: ReceiverView): string {
  const s = r.status;
  if (!s?.spool) return '-';
  const dropped = s.dropped?.spool ?? 0;
  return `${s.spool.frames}${dropped ? ` (${dropped} dropped)` : ''}`;
}

export function renderReceivers(receivers: readonly ReceiverView[], hubMs: number): string {
  if (receivers.length === 0) return 'no receiver heard yet\n';
  const head = ['RECEIVER', 'STATE', 'FRAMES', 'F/S', 'SHARED', 'LATE', 'LOST', 'BAD', 'CLOCK', 'SPOOL', 'POSITION'];
  const rows = receivers.map((r) => [
    r.id,
    receiverState(r, hubMs),
    String(r.frames),
    r.rate.toFixed(1),
    String(r.duplicates),
    String(r.late),
    String(r.missingBatches),
    String(r.rejected),
    clockText(r),
    spoolText(r),
    r.status?.position ? `${r.status.position.lat.toFixed(5)} ${r.status.position.lon.toFixed(5)}` : '-',
  ]);
  const numeric = new Set([2, 3, 4, 5, 6, 7]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]): string =>
    cells
      .map((c, i) => (numeric.has(i) ? c.padStart(widths[i]!) : i === cells.length - 1 ? c : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(head), ...rows.map(line)].join('\n') + '\n';
}

/** The diagnostics catalogue: well-formed entries, the constructor and the severity order. */
import { describe, expect, it } from 'vitest';
import {
  DIAGNOSTICS,
  DIAGNOSTIC_GROUPS,
  SEVERITIES,
  atLeast,
  compareSeverity,
  diagnostic,
  diagnosticInfo,
  isDiagnosticId,
  isSeverity,
  type DiagnosticId,
  type DropReason,
} from '../src/index.js';

const ids = Object.keys(DIAGNOSTICS) as DiagnosticId[];
const DROP_REASONS: readonly DropReason[] = ['bad-fcs', 'bad-crc', 'empty-pack', 'malformed', 'fragment-lost'];

describe('the catalogue', () => {
  it('every id is <group>.<kebab-case name> of its own group, with a severity and a one-line summary', () => {
    expect(ids.length).toBeGreaterThan(0);
    for (const id of ids) {
      const info = diagnosticInfo(id);
      expect(id, id).toMatch(/^[a-z]+\.[a-z0-9]+(-[a-z0-9]+)*$/);
      expect(id.slice(0, id.indexOf('.')), id).toBe(info.group);
      expect(DIAGNOSTIC_GROUPS, id).toContain(info.group);
      expect(SEVERITIES, id).toContain(info.severity);
      expect(info.summary.length, id).toBeGreaterThan(0);
      expect(info.summary, id).not.toMatch(/\n/);
    }
  });

  it('lists the groups in order, each one at least once', () => {
    const order = ids.map((id) => DIAGNOSTIC_GROUPS.indexOf(diagnosticInfo(id).group));
    expect(order).toEqual([...order].sort((a, b) => a - b));
    expect(new Set(order).size).toBe(DIAGNOSTIC_GROUPS.length);
  });

  it('drop reasons and link layers sit where the receive path counts them', () => {
    for (const id of ids) {
      const { drop, layer, group } = diagnosticInfo(id);
      if (drop !== undefined) expect(DROP_REASONS, id).toContain(drop);
      if (layer !== undefined) expect(group, id).toBe('link');
      expect(drop !== undefined && layer !== undefined, `${id}: a drop or a layer, not both`).toBe(false);
    }
    // Every drop reason has at least one diagnostic that counts under it.
    expect(new Set(ids.map((id) => diagnosticInfo(id).drop).filter(Boolean))).toEqual(new Set(DROP_REASONS));
  });

  it('a summary is not repeated: each id means one thing', () => {
    const seen = new Map<string, string>();
    for (const id of ids) {
      const s = `${diagnosticInfo(id).group}: ${diagnosticInfo(id).summary}`;
      expect(seen.get(s), `${id} and ${seen.get(s)}`).toBeUndefined();
      seen.set(s, id);
    }
  });
});

describe('diagnostic()', () => {
  it('takes severity and group from the catalogue, where only when given', () => {
    expect(diagnostic('link.bad-crc', 'ble: bad CRC')).toEqual({ id: 'link.bad-crc', severity: 'error', group: 'link', detail: 'ble: bad CRC' });
    expect(diagnostic('framing.dji-blank', 'blank', { offset: 0, path: 'dji' })).toEqual({
      id: 'framing.dji-blank',
      severity: 'note',
      group: 'framing',
      offset: 0,
      path: 'dji',
      detail: 'blank',
    });
    // An empty path (a DecodeError's default) says nothing: left out.
    expect(diagnostic('link.unreadable', 'x', { offset: 3, path: '' })).not.toHaveProperty('path');
  });

  it('knows its ids and severities', () => {
    expect(isDiagnosticId('capture.truncated')).toBe(true);
    expect(isDiagnosticId('capture.nonsense')).toBe(false);
    expect(isDiagnosticId('toString')).toBe(false);
    expect(isSeverity('note')).toBe(true);
    expect(isSeverity('info')).toBe(false);
  });
});

describe('severities', () => {
  it('order chat < note < warning < error, for --warnings LEVEL', () => {
    expect(SEVERITIES).toEqual(['chat', 'note', 'warning', 'error']);
    expect(compareSeverity('error', 'warning')).toBeGreaterThan(0);
    expect(compareSeverity('note', 'note')).toBe(0);
    expect(atLeast('warning', 'note')).toBe(true);
    expect(atLeast('warning', 'warning')).toBe(true);
    expect(atLeast('note', 'warning')).toBe(false);
    expect(SEVERITIES.filter((s) => atLeast(s, 'warning'))).toEqual(['warning', 'error']);
  });
});

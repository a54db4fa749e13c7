/**
 * The catalogue section of docs/diagnostics.md, written from the catalogue itself: the contract test
 * compares the two, so the document cannot drift from the code.
 */
import { DIAGNOSTICS, DIAGNOSTIC_GROUPS, diagnosticInfo, type DiagnosticId } from '@odid/codec';

export const CATALOGUE_START = '<!-- catalogue: generated from packages/codec/src/diagnostics.ts, see test/contract/diagnostics.test.ts -->';
export const CATALOGUE_END = '<!-- end of catalogue -->';

/** Where a diagnostic is counted besides its id: the drop reason or link layer the receive statistics use. */
function countedAs(id: DiagnosticId): string {
  const { drop, layer } = diagnosticInfo(id);
  if (drop !== undefined) return `dropped ${drop}`;
  if (layer !== undefined) return `link warnings ${layer}`;
  return '';
}

/** One table per group, in catalogue order; a "counted as" column where some diagnostic of the group has one. */
export function catalogueMarkdown(): string {
  const ids = Object.keys(DIAGNOSTICS) as DiagnosticId[];
  const out: string[] = [];
  for (const group of DIAGNOSTIC_GROUPS) {
    const mine = ids.filter((i) => diagnosticInfo(i).group === group);
    const counted = mine.some((i) => countedAs(i) !== '');
    out.push(`### ${group}`, '', counted ? '| id | severity | counted as | meaning |' : '| id | severity | meaning |', counted ? '|---|---|---|---|' : '|---|---|---|');
    for (const id of mine) {
      const info = diagnosticInfo(id);
      const cells = [`\`${id}\``, info.severity, ...(counted ? [countedAs(id)] : []), info.summary.replace(/\|/g, '\\|')];
      out.push(`| ${cells.join(' | ')} |`);
    }
    out.push('');
  }
  return out.join('\n');
}

/** The text between the markers of a document (undefined without them). */
export function catalogueSection(doc: string): string | undefined {
  const start = doc.indexOf(CATALOGUE_START);
  const end = doc.indexOf(CATALOGUE_END);
  if (start < 0 || end < start) return undefined;
  return doc.slice(start + CATALOGUE_START.length, end).replace(/^\n/, '');
}

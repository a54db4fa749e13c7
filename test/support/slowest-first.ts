import path from 'node:path';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * The files known to take longest (10 s and more on a 2-core machine), longest first. With two files running
 * at a time, one of these starting last would keep the run going alone for its whole length.
 */
const LONGEST = [
  'test/web/map.test.ts',
  'test/web/firefox.test.ts',
  'test/packaging/install.test.ts',
  'test/web/replay.test.ts',
  'packages/receiver/test/evidence-cli.test.ts',
  'test/e2e/drip-broadcast.test.ts',
  'packages/receiver/test/mqtt-hub.test.ts',
  'packages/receiver/test/mqtt-cli.test.ts',
  'packages/codec/test/fuzz-coverage.test.ts',
  'packages/receiver/test/spoofing-honest.test.ts',
  'test/contract/json-schemas.test.ts',
  'packages/cli/test/cli-odid-capture.test.ts',
  'packages/codec/test/fuzz.test.ts',
  'test/e2e/broadcast-to-decode.test.ts',
  'test/e2e/broadcast-to-scan.test.ts',
  'packages/codec/test/link-fcs-not-captured.test.ts',
  'packages/receiver/test/hub-rssi.test.ts',
  'packages/receiver/test/replay-compressed.test.ts',
  'packages/cli/test/cli-odid-compressed.test.ts',
  'packages/receiver/test/case-export.test.ts',
];

/**
 * Starts the longest test files first, so that the workers finish together. Vitest does this by itself from
 * the durations of the last run it cached (node_modules/.vite); a fresh clone (CI) has none, and vitest then
 * orders by file size, which puts some of the longest last: there, LONGEST comes first.
 */
export default class SlowestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const root = this.ctx.config.root;
    const relative = (f: TestSpecification): string => path.relative(root, f.moduleId).split(path.sep).join('/');
    if (sorted.some((f) => this.ctx.cache.getFileTestResults(`${f.project.name}:${relative(f)}`))) return sorted;
    const rank = (f: TestSpecification): number => {
      const i = LONGEST.indexOf(relative(f));
      return i < 0 ? LONGEST.length : i;
    };
    // Array.prototype.sort is stable: the rest keep vitest's order.
    return sorted.sort((a, b) => rank(a) - rank(b));
  }
}

import type { Reporter, TestModule } from 'vitest/node';

/**
 * Prints one plain closing line, "tests: N passed, N failed, N skipped", that any CI log reader understands.
 * When tests were skipped, their reasons (the note given to ctx.skip) follow on the same line, counted per
 * reason: "tests: 980 passed, 0 failed, 95 skipped (95 external corpus absent (...))".
 */
export default class SummaryReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    let passed = 0;
    let failed = 0;
    let skipped = 0;
    const reasons = new Map<string, number>();
    for (const mod of testModules) {
      for (const test of mod.children.allTests()) {
        const result = test.result();
        if (result.state === 'passed') passed++;
        else if (result.state === 'failed') failed++;
        else {
          skipped++;
          let note = (result.state === 'skipped' && result.note?.replace(/\s+/g, ' ').trim()) || 'no reason given';
          // Contract checks that cannot apply to one implementation say why in the test's own report; on the
          // closing line they are one count, so the line stays readable.
          if (note.startsWith('not applicable:')) note = 'contract checks not applicable (reasons in the contract suites)';
          reasons.set(note, (reasons.get(note) ?? 0) + 1);
        }
      }
      if (mod.state() === 'failed' && [...mod.children.allTests()].length === 0) failed++;
    }
    const why = skipped ? ` (${[...reasons].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([note, n]) => `${n} ${note}`).join('; ')})` : '';
    process.stdout.write(`\ntests: ${passed} passed, ${failed} failed, ${skipped} skipped${why}\n`);
  }
}

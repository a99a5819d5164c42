// Jest reporter: one plain final line, `N passed, N failed` (+ `, N skipped` when any), for CI logs.
// A test file that fails to run at all (syntax error, a throwing beforeAll with no tests reported)
// has no failed *tests*; it counts as one failure so the line can never read "0 failed" on a red run.
// Jest's own summary reporter always runs after custom reporters, so the line is written when the
// process exits (stdout writes are synchronous on Linux), which makes it the last line of the run.

/** @param {import('@jest/test-result').AggregatedResult} results */
function summaryLine(results) {
  const brokenFiles = results.testResults.filter((r) => r.testExecError && r.numFailingTests === 0).length;
  const failed = results.numFailedTests + brokenFiles;
  const skipped = results.numPendingTests + results.numTodoTests;
  let line = `${results.numPassedTests} passed, ${failed} failed`;
  if (skipped > 0) line += `, ${skipped} skipped`;
  return line;
}

class SummaryReporter {
  onRunComplete(_contexts, results) {
    const line = summaryLine(results);
    process.once('exit', () => process.stdout.write(`\n${line}\n`));
  }
}

module.exports = SummaryReporter;
module.exports.summaryLine = summaryLine;

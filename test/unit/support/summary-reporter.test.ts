/** The CI summary line (`.ci/run` ends with it). */
const { summaryLine } = require('../../support/summary-reporter') as {
  summaryLine: (r: unknown) => string;
};

const file = (over: Record<string, unknown> = {}) => ({
  numFailingTests: 0,
  testExecError: undefined,
  ...over,
});
const results = (over: Record<string, unknown> = {}) => ({
  numPassedTests: 0,
  numFailedTests: 0,
  numPendingTests: 0,
  numTodoTests: 0,
  testResults: [] as unknown[],
  ...over,
});

test('passed and failed tests', () => {
  expect(summaryLine(results({ numPassedTests: 12, numFailedTests: 3, testResults: [file()] }))).toBe(
    '12 passed, 3 failed',
  );
  expect(summaryLine(results({ numPassedTests: 5 }))).toBe('5 passed, 0 failed');
});

test('skipped and todo tests are reported only when there are some', () => {
  expect(summaryLine(results({ numPassedTests: 4, numPendingTests: 2, numTodoTests: 1 }))).toBe(
    '4 passed, 0 failed, 3 skipped',
  );
});

test('a test file that could not run counts as a failure', () => {
  const broken = file({ testExecError: { message: 'SyntaxError' } });
  const failingFile = file({ numFailingTests: 2, testExecError: { message: 'afterAll threw' } });
  expect(
    summaryLine(
      results({ numPassedTests: 7, numFailedTests: 2, testResults: [file(), broken, failingFile] }),
    ),
  ).toBe('7 passed, 3 failed');
});

// The SDK's notice that future versions need Node 22 is noise in test output (Lambda runs nodejs22.x).
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const common = {
  testEnvironment: 'node',
  transform: { '^.+\\.(ts|tsx|js|mjs)$': '<rootDir>/test/support/esbuild-transform.js' },
  // @middy/* and jose are ESM-only: let esbuild turn them into CommonJS for jest.
  transformIgnorePatterns: ['/node_modules/(?!(@middy|jose)/)'],
  testPathIgnorePatterns: ['/node_modules/'],
};

/** The real parts (DynamoDB Local + s3rver), started once for the projects that need them. */
const services = {
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
};

const project = (name, roots, extra = {}) => ({
  ...common,
  displayName: name,
  roots: roots.map((r) => `<rootDir>/${r}`),
  testMatch: ['**/*.test.ts'],
  ...extra,
});

/**
 * One `npm test` runs every project; `npx jest --selectProjects unit` runs the pure tests alone
 * (no global setup: no Java, no servers, a few seconds).
 */
/** @type {import('jest').Config} */
module.exports = {
  projects: [
    project('unit', ['test/unit']),
    project('infra', ['test/infra']),
    project('integration', ['test/integration', 'test/faults', 'test/load'], services),
    project('e2e', ['test/e2e'], services),
    project('browser', ['test/browser'], services),
    // the deployed-shape tier brings up its own stand-ins from the synthesized template
    project('deployed', ['test/deployed']),
  ],
  // test/deployed runs after everything else (test/support/sequencer.js says why)
  testSequencer: '<rootDir>/test/support/sequencer.js',
  reporters: ['default', '<rootDir>/test/support/summary-reporter.js'],
  testTimeout: 60000,
  maxWorkers: 2,
};

// Jest test order: jest's own (failed first, then slowest first), except the deployed-shape tier
// (test/deployed), which goes last. Each of its files synthesizes the stack and starts a dozen
// Node 22 processes and a DynamoDB Local of its own; run beside the quota and load tests they
// would compete for the machine's two cores with tests that count requests under concurrency.
const Sequencer = require('@jest/test-sequencer').default;

const DEPLOYED = `${require('node:path').sep}test${require('node:path').sep}deployed${require('node:path').sep}`;

class DeployedLast extends Sequencer {
  sort(tests) {
    const sorted = super.sort(tests);
    const isDeployed = (t) => t.path.includes(DEPLOYED);
    return [...sorted.filter((t) => !isDeployed(t)), ...sorted.filter(isDeployed)];
  }
}

module.exports = DeployedLast;

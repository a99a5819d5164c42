#!/usr/bin/env node
// `npx avtrz …`: the operator CLI (bin/cli/main.ts). Runs its esbuild bundle in .cache/cli,
// (re)built on demand by bin/cli/build.js when missing or older than its sources; without esbuild
// (an install without dev dependencies) it falls back to loading the TypeScript through tsx.
let main;
try {
  main = require(require('./cli/build.js').ensureBuilt()).main;
} catch (e) {
  if (process.env.AVTRZ_DEBUG) process.stderr.write(`avtrz: bundle unavailable, using tsx: ${e?.stack}\n`);
  require('tsx/cjs/api').register();
  main = require('./cli/main.ts').main;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    // never a stack: one line (AVTRZ_DEBUG=1 for the stack)
    process.stderr.write(`avtrz: ${String(err?.message ?? err).split('\n')[0]}\n`);
    if (process.env.AVTRZ_DEBUG) process.stderr.write(`${err?.stack ?? ''}\n`);
    process.exitCode = 1;
  },
);

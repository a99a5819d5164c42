#!/usr/bin/env node
// `npx avtrz …`: the operator CLI (bin/cli/main.ts). Runs its esbuild bundle in .cache/cli,
// (re)built on demand by bin/cli/build.js when missing or older than its sources; without esbuild
// (an install without dev dependencies) it falls back to loading the TypeScript through tsx.
// Whatever goes wrong, the user sees one line, never a stack (AVTRZ_DEBUG=1 adds the stack).
const debug = Boolean(process.env.AVTRZ_DEBUG);

function fail(err) {
  process.stderr.write(`avtrz: internal error: ${String(err?.message ?? err).split('\n')[0]}\n`);
  if (debug) process.stderr.write(`${err?.stack ?? ''}\n`);
  process.exit(1);
}
process.on('uncaughtException', fail);
process.on('unhandledRejection', fail);
// `avtrz --help | head -1`: a closed pipe ends the output, it is not an error
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (e) => (e.code === 'EPIPE' ? process.exit(process.exitCode ?? 0) : fail(e)));
}

function load() {
  try {
    return require(require('./cli/build.js').ensureBuilt()).main;
  } catch (e) {
    if (debug) process.stderr.write(`avtrz: bundle unavailable, using tsx: ${e?.stack}\n`);
  }
  require('tsx/cjs/api').register();
  return require('./cli/main.ts').main;
}

load()(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
}, fail);

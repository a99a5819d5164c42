#!/usr/bin/env node
// `npx avtrz …`: the operator CLI (bin/cli/main.ts), loaded through tsx's CommonJS register API so
// it runs straight from the TypeScript sources after `npm ci`, with no build step.
const path = require('node:path');
const { register } = require('tsx/cjs/api');

register();
const { main } = require(path.join(__dirname, 'cli', 'main.ts'));

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    process.stderr.write(`avtrz: ${err?.message ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);

/**
 * `npx avtrz <command> [flags]` — the operator CLI (spec section 10). `bin/avtrz.js` runs the
 * esbuild bundle of this file (`bin/cli/build.js`); tests may import `run` directly.
 *
 * Adding a command: declare it with `defineCommand({ name, summary, flags, examples, run })` in its
 * own module (see `admin-commands.ts` and `registry.ts`), import it here and add it to COMMANDS.
 * Its flags, `--help`, unknown-flag messages and error output come from the declaration. Load
 * heavy packages inside `run` with `await import(…)` so they cost nothing to other commands.
 */
import pkg from '../../package.json';
import { ADMIN_COMMANDS } from './admin-commands';
import { type Command, defineCommand, dispatch, type Io } from './registry';
import { usersInvite } from './users';

export { parseDuration, quotaDelay } from './admin-commands';
export { UsageError } from './registry';

/**
 * `avtrz mcp`: listed with the others; main() starts the bridge before the registry parses
 * anything (bin/cli/mcp.ts has its own --help), `run()` reaches it here with the parsed endpoint.
 */
const mcpBridge = defineCommand({
  name: 'mcp',
  summary: 'a stdio MCP server bridged to POST /mcp (reads $AVTRZ_SECRET_KEY)',
  flags: [],
  examples: ['mcp --endpoint https://api.example.com'],
  run(ctx) {
    const { runMcpBridge } = require('./mcp') as typeof import('./mcp');
    return runMcpBridge(['--endpoint', ctx.endpoint], { env: ctx.io.env, err: ctx.io.err });
  },
});

/** Every command of the CLI, in the order `avtrz --help` lists them. */
export const COMMANDS: Command[] = [
  ...ADMIN_COMMANDS,
  usersInvite,
  mcpBridge,
  // other commands: one line each
];

export const VERSION: string = pkg.version;

export function run(argv: string[], io: Io): Promise<number> {
  return dispatch(argv, io, COMMANDS, VERSION);
}

export function main(argv: string[]): Promise<number> {
  // `avtrz mcp` speaks the protocol on stdout for as long as stdin is open (bin/cli/mcp.ts);
  // required only then, so the MCP SDK is not on every other command's start-up (a require, not
  // import(): bin/avtrz.js registers tsx for CommonJS only)
  if (argv[0] === 'mcp') {
    const { runMcpBridge } = require('./mcp') as typeof import('./mcp');
    return runMcpBridge(argv.slice(1), { env: process.env, err: (s) => process.stderr.write(s) });
  }
  return run(argv, {
    out: (s) => process.stdout.write(s),
    err: (s) => process.stderr.write(s),
    env: process.env,
  });
}

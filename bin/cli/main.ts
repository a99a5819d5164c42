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
import { type Command, dispatch, type Io } from './registry';
import { usersInvite } from './users';

export { parseDuration, quotaDelay } from './admin-commands';
export { UsageError } from './registry';

/** Every command of the CLI, in the order `avtrz --help` lists them. */
export const COMMANDS: Command[] = [
  ...ADMIN_COMMANDS,
  usersInvite,
  // other commands: one line each
];

export const VERSION: string = pkg.version;

export function run(argv: string[], io: Io): Promise<number> {
  return dispatch(argv, io, COMMANDS, VERSION);
}

export function main(argv: string[]): Promise<number> {
  return run(argv, {
    out: (s) => process.stdout.write(s),
    err: (s) => process.stderr.write(s),
    env: process.env,
  });
}

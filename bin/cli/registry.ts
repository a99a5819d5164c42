/**
 * The CLI's command registry: each command declares its flags once (name, type, repeatable,
 * required, help) and everything else is derived from that declaration — argument parsing, the
 * per-command `--help`, the "unknown flag / unknown command" messages that list what exists,
 * required-flag checks and the "that is a key, not an id" hint. `main.ts` holds the list of
 * commands; a command is one `defineCommand({...})` value in its own module.
 *
 * Exit codes: 0 ok, 1 the API (or the network) said no, 2 the command line is wrong.
 */
import { parseArgs } from 'node:util';
import { looksLikeType } from '../../lambdas/core/keys/format';
import { AdminClient, ApiError, NetworkError } from './client';

export const DEFAULT_ENDPOINT = 'http://127.0.0.1:3000';

export interface Io {
  out: (s: string) => void;
  err: (s: string) => void;
  env: NodeJS.ProcessEnv;
}

/** A wrong command line: exit 2, message plus where to find the right one. */
export class UsageError extends Error {}

export interface FlagSpec {
  /** without the dashes: `workspace` for `--workspace` */
  name: string;
  type: 'string' | 'boolean';
  /** placeholder in help, e.g. `ws_…`, `N`, `YYYY-MM` (string flags) */
  value?: string;
  repeatable?: boolean;
  required?: boolean;
  /**
   * The flag takes an id with this prefix (`ws_`, `key_`): a value that looks like an API key
   * (pk_…/sk_…) is refused with a hint, before anything is sent and without echoing it.
   */
  idPrefix?: string;
  help: string;
  /** one-letter alias, e.g. `h` */
  short?: string;
}

export type FlagValue = string | string[] | boolean | undefined;

export interface Context {
  /** the parsed flags of this command (common ones included), by name */
  flags: Record<string, FlagValue>;
  /** a string flag's value (undefined when absent); required flags are always present */
  str(name: string): string | undefined;
  /** a repeatable flag's values (undefined when absent) */
  list(name: string): string[] | undefined;
  /** a boolean flag */
  bool(name: string): boolean;
  io: Io;
  /** `--json` was given */
  json: boolean;
  /** --endpoint, else $AVTRZ_ENDPOINT, else the local stack */
  endpoint: string;
  /** the management-API client: SigV4 with --region, else the bearer $AVTRZ_ADMIN_TOKEN */
  client(): AdminClient;
  /** print the human text, or the JSON body under --json */
  print(human: string, body: unknown): void;
}

export interface Command {
  /** the words that select it: `keys roll`, `usage` */
  name: string;
  /** one line for the command lists */
  summary: string;
  /** optional paragraph under the usage line of its --help */
  description?: string;
  flags: FlagSpec[];
  /** full command lines shown in its --help (without the leading `avtrz`) */
  examples: string[];
  /** hidden from the lists (still runs and has --help) */
  hidden?: boolean;
  /** resolves to the exit code (default 0); throw UsageError for a wrong command line */
  run(ctx: Context): Promise<number | undefined>;
}

export function defineCommand(c: Command): Command {
  return c;
}

/** Flags every command takes. */
export const COMMON_FLAGS: FlagSpec[] = [
  {
    name: 'endpoint',
    type: 'string',
    value: 'URL',
    help: `API base URL (default $AVTRZ_ENDPOINT, else ${DEFAULT_ENDPOINT})`,
  },
  {
    name: 'region',
    type: 'string',
    value: 'REGION',
    help: 'sign requests with SigV4 (a deployed stack; default AWS credential chain); without it $AVTRZ_ADMIN_TOKEN is sent as a bearer token (local stack)',
  },
  { name: 'json', type: 'boolean', help: "print the API's JSON answer, and errors as JSON on stderr" },
  { name: 'help', type: 'boolean', short: 'h', help: 'show this help' },
];

function flagUsage(f: FlagSpec): string {
  const v = f.type === 'string' ? ` ${f.value ?? 'VALUE'}` : '';
  const one = `--${f.name}${v}`;
  const s = f.repeatable ? `${one}…` : one;
  return f.required ? s : `[${s}]`;
}

/** Words of `text` on lines of at most `width` characters, every line after the first indented. */
function wrap(text: string, indent: number, width = 100): string {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line && indent + line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  lines.push(line);
  return lines.join(`\n${' '.repeat(indent)}`);
}

function flagTable(flags: FlagSpec[], width?: number): string {
  const left = flags.map((f) => `--${f.name}${f.type === 'string' ? ` ${f.value ?? 'VALUE'}` : ''}`);
  const w = width ?? Math.max(...left.map((l) => l.length));
  return flags
    .map((f, i) => {
      const notes = [f.required ? 'required' : '', f.repeatable ? 'repeatable' : ''].filter(Boolean);
      return `  ${left[i].padEnd(w)}  ${wrap(f.help + (notes.length ? ` (${notes.join(', ')})` : ''), w + 4)}`;
    })
    .join('\n');
}

const VERSION_FLAG: FlagSpec = { name: 'version', type: 'boolean', help: "print the CLI's version" };

function commonHelp(withVersion = false): string {
  return `Common flags:\n${flagTable(withVersion ? [...COMMON_FLAGS, VERSION_FLAG] : COMMON_FLAGS)}`;
}

export function commandHelp(c: Command): string {
  const usage = `Usage: avtrz ${c.name}${c.flags.length ? ` ${c.flags.map(flagUsage).join(' ')}` : ''}`;
  const sentence = `${c.summary[0].toUpperCase()}${c.summary.slice(1)}.`;
  const parts = [usage, '', sentence + (c.description ? `\n${c.description}` : '')];
  if (c.flags.length) parts.push('', `Flags:\n${flagTable(c.flags)}`);
  parts.push('', commonHelp());
  if (c.examples.length)
    parts.push(
      '',
      `Example${c.examples.length > 1 ? 's' : ''}:\n${c.examples.map((e) => `  avtrz ${e}`).join('\n')}`,
    );
  return `${parts.join('\n')}\n`;
}

function commandList(cmds: Command[]): string {
  const shown = cmds.filter((c) => !c.hidden);
  const w = Math.max(...shown.map((c) => c.name.length));
  return shown.map((c) => `  ${c.name.padEnd(w)}  ${c.summary}`).join('\n');
}

export function globalHelp(cmds: Command[]): string {
  return `Usage: avtrz <command> [flags]

Commands:
${commandList(cmds)}

${commonHelp(true)}

"avtrz <command> --help" shows a command's flags and an example.
`;
}

export function groupHelp(group: string, cmds: Command[]): string {
  const inGroup = cmds.filter((c) => c.name.split(' ')[0] === group);
  return `Usage: avtrz ${group} <command> [flags]

Commands:
${commandList(inGroup)}

"avtrz ${group} <command> --help" shows a command's flags and an example.
`;
}

/** Levenshtein distance, for "did you mean". */
function distance(a: string, b: string): number {
  const d = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = d[0];
    d[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = d[j];
      d[j] = Math.min(d[j] + 1, d[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return d[b.length];
}

function closest(word: string, candidates: string[]): string | undefined {
  let best: string | undefined;
  let bestD = Number.POSITIVE_INFINITY;
  for (const c of candidates) {
    const dist = distance(word, c);
    if (dist < bestD) {
      best = c;
      bestD = dist;
    }
  }
  return best !== undefined && bestD <= Math.max(2, Math.floor(word.length / 3)) ? best : undefined;
}

/** What the user typed is printed back only if it cannot be a key, and never longer than 40. */
function shown(raw: string): string {
  if (looksLikeType(raw.trim())) return '(an API key: not repeated here)';
  return JSON.stringify(raw.length > 40 ? `${raw.slice(0, 40)}…` : raw);
}

function options(flags: FlagSpec[]) {
  const o: Record<string, { type: 'string' | 'boolean'; multiple?: boolean; short?: string }> = {};
  for (const f of flags) o[f.name] = { type: f.type, ...(f.short ? { short: f.short } : {}) };
  return o;
}

/** The words of the command line that are not flags or flag values, knowing every command's flags. */
function positionals(argv: string[], cmds: Command[]): string[] {
  const all = [...COMMON_FLAGS, ...cmds.flatMap((c) => c.flags), VERSION_FLAG];
  const { positionals: p } = parseArgs({
    args: argv,
    options: options(all),
    strict: false,
    allowPositionals: true,
  });
  return p;
}

/** Parse argv against one command's flags; every mistake is a UsageError in our own words. */
export function parseFlags(argv: string[], c: Command): { flags: Record<string, FlagValue>; rest: string[] } {
  const specs = [...c.flags, ...COMMON_FLAGS];
  const byName = new Map(specs.map((f) => [f.name, f]));
  const { tokens } = parseArgs({
    args: argv,
    options: options(specs),
    strict: false,
    allowPositionals: true,
    tokens: true,
  });
  const flags: Record<string, FlagValue> = {};
  const rest: string[] = [];
  let seenTerminator = false;
  for (const t of tokens ?? []) {
    if (t.kind === 'option-terminator') {
      seenTerminator = true;
      continue;
    }
    if (t.kind === 'positional') {
      rest.push(t.value);
      continue;
    }
    const f = byName.get(t.name);
    if (!f || seenTerminator) {
      const names = c.flags.map((x) => `--${x.name}`);
      const hint = closest(
        t.name,
        [...c.flags, ...COMMON_FLAGS].map((x) => x.name),
      );
      throw new UsageError(
        `unknown flag ${t.rawName.startsWith('--') ? t.rawName : `-${t.name}`} for "${c.name}"` +
          (hint ? ` (did you mean --${hint}?)` : '') +
          `; its flags: ${names.length ? names.join(', ') : '(none)'}, and the common --endpoint, --region, --json, --help`,
      );
    }
    if (f.type === 'boolean') {
      if (t.inlineValue) throw new UsageError(`--${f.name} takes no value`);
      flags[f.name] = true;
      continue;
    }
    const v = t.value;
    if (v === undefined || (!t.inlineValue && v.startsWith('--'))) {
      throw new UsageError(`--${f.name} needs a value${f.value ? ` (${f.value})` : ''}`);
    }
    if (f.repeatable) {
      flags[f.name] = [...((flags[f.name] as string[] | undefined) ?? []), v];
    } else {
      if (flags[f.name] !== undefined)
        throw new UsageError(`--${f.name} is given twice (it takes one value)`);
      flags[f.name] = v;
    }
  }
  return { flags, rest };
}

function checkFlags(c: Command, flags: Record<string, FlagValue>): void {
  for (const f of c.flags) {
    const v = flags[f.name];
    if (f.required && (v === undefined || v === '')) {
      throw new UsageError(`missing --${f.name}${f.value ? ` ${f.value}` : ''}`);
    }
    if (f.idPrefix === undefined || v === undefined) continue;
    for (const one of Array.isArray(v) ? v : [String(v)]) {
      if (looksLikeType(one.trim())) {
        throw new UsageError(
          f.name === 'key'
            ? `--key takes the key's id (key_…), not the key itself: "avtrz keys list --workspace ws_…" shows the ids`
            : `--${f.name} takes an id (${f.idPrefix}…), not an API key`,
        );
      }
      if (!one.startsWith(f.idPrefix)) {
        throw new UsageError(`--${f.name} takes an id that starts with ${f.idPrefix} (got ${shown(one)})`);
      }
    }
  }
}

interface Failure {
  code: string;
  message: string;
  status?: number;
  param?: string;
  request_id?: string;
  hint?: string;
}

function report(io: Io, json: boolean, f: Failure, helpFor?: string): void {
  if (json) {
    const error: Record<string, unknown> = { code: f.code, message: f.message };
    for (const k of ['status', 'param', 'request_id', 'hint'] as const)
      if (f[k] !== undefined) error[k] = f[k];
    io.err(`${JSON.stringify({ error })}\n`);
    return;
  }
  const head = f.status !== undefined ? `${f.status} ${f.code}: ` : '';
  const param = f.param ? ` (param: ${f.param})` : '';
  const rid = f.request_id ? ` [request ${f.request_id}]` : '';
  const hint = f.hint ? `\nhint: ${f.hint}` : '';
  const help = helpFor !== undefined ? `\nRun "avtrz ${helpFor}--help" for usage.` : '';
  io.err(`avtrz: ${head}${f.message}${param}${rid}${hint}${help}\n`);
}

export async function dispatch(argv: string[], io: Io, cmds: Command[], version: string): Promise<number> {
  const json = argv.includes('--json');
  const words = positionals(argv, cmds);
  let cmd: Command | undefined;
  for (const c of cmds) {
    const w = c.name.split(' ');
    if (w.every((x, i) => words[i] === x) && (!cmd || w.length > cmd.name.split(' ').length)) cmd = c;
  }
  const wantsHelp = argv.includes('--help') || argv.includes('-h');
  if (!cmd) {
    if (words.length === 0 && argv.includes('--version')) {
      io.out(`${version}\n`);
      return 0;
    }
    if (words.length === 0) {
      if (wantsHelp) io.out(globalHelp(cmds));
      else if (json) report(io, json, { code: 'usage', message: 'no command given' });
      else io.err(globalHelp(cmds));
      return wantsHelp ? 0 : 2;
    }
    const groups = [...new Set(cmds.filter((c) => !c.hidden).map((c) => c.name.split(' ')[0]))];
    const group = words[0];
    const inGroup = cmds.filter((c) => !c.hidden && c.name.split(' ')[0] === group && c.name.includes(' '));
    if (inGroup.length && words.length === 1) {
      if (wantsHelp) {
        io.out(groupHelp(group, cmds));
        return 0;
      }
      const subs = inGroup.map((c) => c.name.split(' ')[1]);
      report(
        io,
        json,
        { code: 'usage', message: `"${group}" needs a command: ${subs.join(', ')}` },
        `${group} `,
      );
      return 2;
    }
    if (inGroup.length) {
      const subs = inGroup.map((c) => c.name.split(' ')[1]);
      const hint = closest(words[1], subs);
      report(
        io,
        json,
        {
          code: 'usage',
          message:
            `unknown command "${group} ${words[1]}"${hint ? ` (did you mean "${group} ${hint}"?)` : ''}; ` +
            `${group} commands: ${subs.join(', ')}`,
        },
        `${group} `,
      );
      return 2;
    }
    const hint = closest(group, groups);
    report(
      io,
      json,
      {
        code: 'usage',
        message: `unknown command "${group}"${hint ? ` (did you mean "${hint}"?)` : ''}; commands: ${groups.join(', ')}`,
      },
      '',
    );
    return 2;
  }

  let flags: Record<string, FlagValue>;
  try {
    const parsed = parseFlags(argv, cmd);
    flags = parsed.flags;
    const extra = parsed.rest.slice(cmd.name.split(' ').length);
    if (flags.help) {
      io.out(commandHelp(cmd));
      return 0;
    }
    if (extra.length) throw new UsageError(`unexpected argument ${shown(extra[0])}`);
    checkFlags(cmd, flags);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    report(io, json, { code: 'usage', message: e.message }, `${cmd.name} `);
    return 2;
  }

  const endpoint = (flags.endpoint as string | undefined) || io.env.AVTRZ_ENDPOINT || DEFAULT_ENDPOINT;
  const region = flags.region as string | undefined;
  let client: AdminClient | undefined;
  const ctx: Context = {
    flags,
    str: (n) => flags[n] as string | undefined,
    list: (n) => flags[n] as string[] | undefined,
    bool: (n) => flags[n] === true,
    io,
    json,
    endpoint,
    client: () => {
      client ??= new AdminClient({ endpoint, region, adminToken: io.env.AVTRZ_ADMIN_TOKEN || undefined });
      return client;
    },
    print: (human, body) => io.out(json ? `${JSON.stringify(body, null, 2)}\n` : human),
  };
  try {
    return (await cmd.run(ctx)) ?? 0;
  } catch (e) {
    if (e instanceof UsageError) {
      report(io, json, { code: 'usage', message: e.message }, `${cmd.name} `);
      return 2;
    }
    if (e instanceof ApiError) {
      let hint: string | undefined;
      if ((e.status === 401 || e.status === 403) && !region && !io.env.AVTRZ_ADMIN_TOKEN) {
        hint = 'set AVTRZ_ADMIN_TOKEN (local stack) or pass --region (deployed stack, SigV4).';
      }
      report(io, json, {
        code: e.code,
        message: e.message,
        status: e.status,
        param: e.param,
        request_id: e.requestId,
        hint,
      });
      return 1;
    }
    if (e instanceof NetworkError) {
      report(io, json, { code: e.code, message: e.message, hint: e.hint });
      return e.code === 'usage' ? 2 : 1;
    }
    // an answer this command did not expect (or a bug): one line, never a stack
    const msg = (e as Error)?.message ?? String(e);
    report(io, json, {
      code: 'unexpected',
      message: `${msg.split('\n')[0]}`,
      hint: `is ${endpoint} the avtrz API?${io.env.AVTRZ_DEBUG ? '' : ' (AVTRZ_DEBUG=1 prints the stack)'}`,
    });
    if (io.env.AVTRZ_DEBUG) io.err(`${(e as Error)?.stack ?? ''}\n`);
    return 1;
  }
}

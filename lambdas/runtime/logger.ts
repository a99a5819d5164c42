/**
 * One structured logger: JSON lines on stdout (CloudWatch in AWS). API keys are never logged:
 * fields with sensitive names are dropped and key-shaped strings are masked wherever they appear.
 */
import type { Logger } from '../app/ports';

const ORDER: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 };
const SENSITIVE = /^(key|api_key|x-api-key|authorization|secret|token|hmac.*)$/i;
const KEY_SHAPE = /\b([ps]k)_[A-Za-z0-9_]{6,}/g;
/** the real key prefixes, masked even right after a word character (`%3Dsk_live_…`) */
const LIVE_KEY = /([ps]k)_live_[A-Za-z0-9]+/g;

export function redact(value: unknown, depth = 0): unknown {
  if (typeof value === 'string')
    return value.replace(LIVE_KEY, '$1_[redacted]').replace(KEY_SHAPE, '$1_[redacted]');
  if (value instanceof Error) return { name: value.name, message: redact(value.message) };
  if (value === null || typeof value !== 'object') return value;
  // never write what was not walked
  if (depth > 4) return '[truncated]';
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value))
    out[k] = SENSITIVE.test(k) ? '[redacted]' : redact(v, depth + 1);
  return out;
}

export type Level = 'debug' | 'info' | 'warn' | 'error';

export interface LoggerOptions {
  /** fields on every line */
  base?: Record<string, unknown>;
  level?: Level;
  /** where lines go: stdout (CloudWatch in AWS) unless a runtime is given another sink */
  sink?: (line: string) => void;
  /** the runtime's clock, for the `time` field */
  clock?: () => Date;
}

const stdout = (line: string) => {
  process.stdout.write(line);
};

export function createLogger(opts: LoggerOptions = {}): Logger {
  const base = opts.base ?? {};
  const level = opts.level ?? 'info';
  const sink = opts.sink ?? stdout;
  const clock = opts.clock ?? (() => new Date());
  const emit = (lvl: Level, msg: string, fields?: Record<string, unknown>) => {
    if (ORDER[lvl] < ORDER[level]) return;
    const rec = {
      level: lvl,
      time: clock().toISOString(),
      msg: redact(msg),
      ...base,
      ...(redact(fields ?? {}) as object),
    };
    sink(`${JSON.stringify(rec)}\n`);
  };
  return {
    debug: (m, f) => emit('debug', m, f),
    info: (m, f) => emit('info', m, f),
    warn: (m, f) => emit('warn', m, f),
    error: (m, f) => emit('error', m, f),
    child: (f) => createLogger({ ...opts, base: { ...base, ...(redact(f) as object) } }),
  };
}

/** AVTRZ_LOG_LEVEL, default info (an unknown value is info too: the logger must never fail). */
export function levelFrom(env: Record<string, string | undefined>): Level {
  const l = env.AVTRZ_LOG_LEVEL as Level | undefined;
  return l && l in ORDER ? l : 'info';
}

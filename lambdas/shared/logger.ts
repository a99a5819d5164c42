/**
 * One structured logger: JSON lines on stdout (CloudWatch in AWS). API keys are never logged:
 * fields with sensitive names are dropped and key-shaped strings are masked wherever they appear.
 */
type Level = 'debug' | 'info' | 'warn' | 'error';
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

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  child(fields: Record<string, unknown>): Logger;
}

/** Where lines go; tests may swap it to capture output. */
export const sink = { write: (line: string) => process.stdout.write(line) };

export function createLogger(base: Record<string, unknown> = {}, level: Level = envLevel()): Logger {
  const emit = (lvl: Level, msg: string, fields?: Record<string, unknown>) => {
    if (ORDER[lvl] < ORDER[level]) return;
    const rec = {
      level: lvl,
      time: new Date().toISOString(),
      msg: redact(msg),
      ...base,
      ...(redact(fields ?? {}) as object),
    };
    sink.write(`${JSON.stringify(rec)}\n`);
  };
  return {
    debug: (m, f) => emit('debug', m, f),
    info: (m, f) => emit('info', m, f),
    warn: (m, f) => emit('warn', m, f),
    error: (m, f) => emit('error', m, f),
    child: (f) => createLogger({ ...base, ...(redact(f) as object) }, level),
  };
}

function envLevel(): Level {
  const l = process.env.AVTRZ_LOG_LEVEL as Level | undefined;
  return l && l in ORDER ? l : 'info';
}

export const logger = createLogger({ service: 'avtrz' });

import { generateKey } from '../../../lambdas/core/keys/format';
import { createLogger, redact } from '../../../lambdas/runtime/logger';

/** The lines written by the loggers `fn` builds over the capturing sink. */
function captured(fn: (sink: (line: string) => void) => void): string[] {
  const lines: string[] = [];
  fn((l) => lines.push(l));
  return lines;
}

describe('structured logger never writes a key', () => {
  const pk = generateKey('publishable');
  const sk = generateKey('secret');

  it('masks key-shaped strings wherever they appear and drops sensitive fields', () => {
    const lines = captured((sink) => {
      const err = new Error(`boom for /v1/avatar?key=${pk}`);
      createLogger({ base: { service: 't' }, level: 'debug', sink }).error(`GET /v1/avatar?key=${pk}`, {
        err,
        stack: err.stack,
        nested: { headers: { 'x-api-key': sk, accept: 'image/*' }, list: [sk] },
        authorization: `Bearer ${sk}`,
      });
    });
    expect(lines).toHaveLength(1);
    const line = lines[0];
    expect(line).not.toContain(pk);
    expect(line).not.toContain(sk);
    expect(line).not.toContain(pk.slice(8));
    const rec = JSON.parse(line);
    expect(rec.level).toBe('error');
    expect(rec.msg).toBe('GET /v1/avatar?key=pk_[redacted]');
    expect(rec.nested.headers['x-api-key']).toBe('[redacted]');
    expect(rec.nested.headers.accept).toBe('image/*');
    expect(rec.authorization).toBe('[redacted]');
  });

  it('respects the level and leaves ordinary values alone', () => {
    const lines = captured((sink) => {
      const log = createLogger({ level: 'warn', sink });
      log.info('hidden');
      log.warn('shown', { count: 3 });
    });
    expect(lines.map((l) => JSON.parse(l).msg)).toEqual(['shown']);
    expect(redact({ a: 1, b: ['x'] })).toEqual({ a: 1, b: ['x'] });
  });
});

describe('the redactor reaches keys in every position', () => {
  const sk = generateKey('secret');
  const pk = generateKey('publishable');
  test('a key right after a word character (percent-encoded inside another URL) is masked', () => {
    const s = `https://app.example/login?next=%2Fv1%2Favatar%3Fkey%3D${pk}%26x-api-key%3D${sk}`;
    const out = String(redact(s));
    expect(out).not.toContain(pk.slice(8));
    expect(out).not.toContain(sk.slice(8));
    expect(out).toContain('%3Dpk_[redacted]');
  });

  test('values nested deeper than the redactor walks are never written as they are', () => {
    const deep = { a: { b: { c: { d: { e: { f: { note: `key ${sk}`, key: sk } } } } } } };
    const out = JSON.stringify(redact(deep));
    expect(out).not.toContain(sk.slice(8));
    expect(out).toContain('"a"');
  });

  test('ordinary identifiers with a pk_/sk_ look-alike inside stay readable (control)', () => {
    expect(redact('disk_usage_total task_queue')).toBe('disk_usage_total task_queue');
  });
});

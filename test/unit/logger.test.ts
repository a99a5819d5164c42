import { generateKey } from '../../lambdas/core/keys';
import { createLogger, redact, sink } from '../../lambdas/shared/logger';

/** The lines the logger writes while `fn` runs. */
function captured(fn: () => void): string[] {
  const lines: string[] = [];
  const original = sink.write;
  sink.write = (l) => {
    lines.push(l);
    return true;
  };
  try {
    fn();
  } finally {
    sink.write = original;
  }
  return lines;
}

describe('structured logger never writes a key', () => {
  const pk = generateKey('publishable');
  const sk = generateKey('secret');

  it('masks key-shaped strings wherever they appear and drops sensitive fields', () => {
    const lines = captured(() => {
      const err = new Error(`boom for /v1/avatar?key=${pk}`);
      createLogger({ service: 't' }, 'debug').error(`GET /v1/avatar?key=${pk}`, {
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
    const lines = captured(() => {
      const log = createLogger({}, 'warn');
      log.info('hidden');
      log.warn('shown', { count: 3 });
    });
    expect(lines.map((l) => JSON.parse(l).msg)).toEqual(['shown']);
    expect(redact({ a: 1, b: ['x'] })).toEqual({ a: 1, b: ['x'] });
  });
});

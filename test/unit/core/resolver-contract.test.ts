/** The resolver's event is validated where it enters the resolver process (core/resolver-contract.ts). */
import { parseResolverEvent } from '../../../lambdas/core/resolver-contract';

describe('the resolver event is validated at the process boundary', () => {
  const id = 'a'.repeat(32);
  test.each([
    [{ op: 'lookup', id: 'x', profile: 'linkedin.com/in/a', size: 128, format: 'png' }, 'id'],
    [{ op: 'lookup', id, profile: 'https://evil.test/', size: 128, format: 'png' }, 'profile'],
    [{ op: 'lookup', id, profile: 'linkedin.com/in/A', size: 128, format: 'png' }, 'profile'],
    [{ op: 'lookup', id, profile: 'linkedin.com/in/a', size: 100, format: 'png' }, 'size'],
    [{ op: 'lookup', id, profile: 'linkedin.com/in/a', size: 128, format: 'gif' }, 'format'],
    [
      { op: 'variant', id, profile: 'linkedin.com/in/a', size: 128, format: 'png', version: '../x' },
      'version',
    ],
    [{ op: 'drop', id, profile: 'linkedin.com/in/a', size: 128, format: 'png' }, 'op'],
    [null, 'id'],
  ])('%j is refused (%s)', (ev, field) => {
    expect(() => parseResolverEvent(ev)).toThrow(field);
  });

  test('valid events pass through unchanged', () => {
    const ev = {
      op: 'variant',
      id,
      profile: 'linkedin.com/in/a',
      size: 64,
      format: 'jpeg',
      version: 'abcdef012345',
    };
    expect(parseResolverEvent(ev)).toEqual(ev);
    expect(parseResolverEvent({ op: 'refresh', id, profile: 'linkedin.com/in/a' })).toEqual({
      op: 'refresh',
      id,
      profile: 'linkedin.com/in/a',
    });
  });
});

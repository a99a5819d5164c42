import fc from 'fast-check';
import { parseFallback, parseFormat, parseSize, snapSize } from '../../../lambdas/core/size';

describe('size, format, fallback', () => {
  it('snaps up to the supported sizes', () => {
    expect(snapSize(16)).toBe(16);
    expect(snapSize(17)).toBe(24);
    expect(snapSize(100)).toBe(128);
    expect(snapSize(129)).toBe(192);
    expect(snapSize(1000)).toBe(1024);
    expect(parseSize(undefined)).toBe(128);
    expect(parseSize('200')).toBe(256);
    expect(parseSize('0016')).toBe(16);
  });
  it.each(['', '15', '1025', '12.5', '-16', '1e2', ' 64', '0x40', 'abc', '99999'])('size %p → 400', (s) => {
    expect(() => parseSize(s)).toThrow(expect.objectContaining({ code: 'invalid_request', param: 'size' }));
  });
  it('format and fallback', () => {
    expect(parseFormat(undefined)).toBe('webp');
    expect(parseFormat('png')).toBe('png');
    expect(() => parseFormat('gif')).toThrow(expect.objectContaining({ param: 'format' }));
    expect(() => parseFormat('PNG')).toThrow(expect.objectContaining({ param: 'format' }));
    expect(parseFallback(undefined)).toBe('initials');
    expect(parseFallback('404')).toBe('404');
    expect(() => parseFallback('none')).toThrow(expect.objectContaining({ param: 'fallback' }));
  });
});

describe('properties', () => {
  it('size either snaps to a supported size or is a 400', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.integer({ min: -100, max: 5000 }).map(String), fc.string({ maxLength: 8 })),
        (raw) => {
          try {
            const n = parseSize(raw);
            expect([16, 24, 32, 48, 64, 96, 128, 192, 256, 384, 512, 768, 1024]).toContain(n);
            expect(n).toBeGreaterThanOrEqual(Number(raw));
          } catch (e) {
            expect(e).toMatchObject({ code: 'invalid_request', param: 'size' });
          }
        },
      ),
      { numRuns: 1000 },
    );
  });
});

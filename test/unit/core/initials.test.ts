import { colourFor, initialsFromSlug, PALETTE } from '../../../lambdas/core/initials';

describe('initials', () => {
  it.each([
    ['alex-rivera', 'AR'],
    ['alex', 'A'],
    ['alex-maria-rivera-1a2b3c4d', 'AR'],
    ['josé-garcía', 'JG'],
    ['élodie_durand', 'ED'],
    ['12345', ''],
    ['李-王', ''],
    ['<script>', 'S'],
  ])('%s → %p', (slug, out) => expect(initialsFromSlug(slug)).toBe(out));

  it('colour is a stable palette entry derived from the slug', () => {
    expect(PALETTE).toContain(colourFor('alex-rivera'));
    expect(colourFor('alex-rivera')).toBe(colourFor('alex-rivera'));
    const colours = new Set(['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j'].map(colourFor));
    expect(colours.size).toBeGreaterThan(1);
  });
});

import { PALETTE } from '../../../lambdas/core/initials';
import { initialsSvg, silhouetteSvg } from '../../../lambdas/core/svg';

describe('svg', () => {
  it('renders initials and colour only', () => {
    const svg = initialsSvg('AR', PALETTE[0]);
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    expect(svg).toContain('>AR</text>');
    expect(svg).toContain(PALETTE[0]);
    expect(svg).not.toMatch(/<script|on\w+=|href/i);
  });
  it('refuses anything but [A-Z]{0,2} and palette colours', () => {
    expect(() => initialsSvg('<a', PALETTE[0])).toThrow();
    expect(() => initialsSvg('ABC', PALETTE[0])).toThrow();
    expect(() => initialsSvg('AR', 'red" onload="x')).toThrow();
  });
  it('empty initials draw a person; the silhouette is neutral', () => {
    expect(initialsSvg('', PALETTE[1])).toContain('<circle');
    expect(silhouetteSvg()).toContain('<circle');
    expect(silhouetteSvg()).not.toContain('<text');
  });
});

/** core/svg.ts: the initials SVG is drawn at the size asked for, and still holds no input text. */
import { PALETTE } from '../../../lambdas/core/initials';
import { SIZES } from '../../../lambdas/core/size';
import { initialsSvg, initialsSvgForSlug } from '../../../lambdas/core/svg';

test.each(SIZES.map((s) => [s]))('initials at %i px: width and height are the size', (size) => {
  const svg = initialsSvg('AR', PALETTE[0], size);
  expect(svg).toMatch(new RegExp(`^<svg [^>]*width="${size}" height="${size}" viewBox="0 0 128 128"`));
});

test('the default is the default avatar size, 128', () => {
  expect(initialsSvgForSlug('alex-rivera')).toMatch(/width="128" height="128"/);
});

test('a size that is not one of the snapped sizes is refused (only validated values reach an SVG)', () => {
  for (const bad of [0, 100, 2048, 128.5, Number.NaN])
    expect(() => initialsSvg('AR', PALETTE[0], bad)).toThrow();
});

test('no input text: a slug with markup yields only [A-Z] initials at any size', () => {
  const svg = initialsSvgForSlug('<script>alert(1)</script>-x"onload="y', 256);
  expect(svg).not.toMatch(/script|onload|alert/);
});

/**
 * lambdas/resolver/image.ts renderVariant: a square crop of a non-square photo keeps what matters.
 * The subject here is a small bright square near one edge of a flat background, where a centred
 * crop cuts it away.
 */
import sharp from 'sharp';
import { renderVariant } from '../../../lambdas/resolver/image';

const SUBJECT = { r: 230, g: 30, b: 40 };
const BACKGROUND = { r: 128, g: 128, b: 128 };

/** A w×h flat grey image with a `side`-pixel red square whose top-left corner is at (x, y). */
async function offCentre(w: number, h: number, x: number, y: number, side: number): Promise<Buffer> {
  const square = await sharp({
    create: { width: side, height: side, channels: 3, background: SUBJECT },
  })
    .png()
    .toBuffer();
  return sharp({ create: { width: w, height: h, channels: 3, background: BACKGROUND } })
    .composite([{ input: square, left: x, top: y }])
    .png()
    .toBuffer();
}

/** How many pixels of the output are the subject's red (within a tolerance for resampling). */
async function subjectPixels(image: Buffer): Promise<{ count: number; width: number; height: number }> {
  const { data, info } = await sharp(image).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  let count = 0;
  for (let i = 0; i < data.length; i += info.channels) {
    if (data[i] > 180 && data[i + 1] < 90 && data[i + 2] < 90) count++;
  }
  return { count, width: info.width, height: info.height };
}

test.each([
  ['landscape, subject at the right edge', 600, 200, 540, 70, 40],
  ['landscape, subject at the left edge', 600, 200, 10, 80, 40],
  ['portrait, subject at the bottom', 200, 600, 80, 540, 40],
])('%s: the subject is still in the square crop', async (_name, w, h, x, y, side) => {
  const original = await offCentre(w, h, x, y, side);
  const out = await renderVariant(original, 128, 'png');
  const seen = await subjectPixels(out);
  expect({ width: seen.width, height: seen.height }).toEqual({ width: 128, height: 128 });
  // the whole square survives: 40 px scaled by 128/200 is ~25 px a side (~650 pixels)
  expect(seen.count).toBeGreaterThan(400);
});

/**
 * sharp, only here (the resolver Lambda). One libvips thread and no operation cache: a Lambda
 * handles one request at a time and memory, not throughput, is the limit that matters. Every
 * decode carries a pixel cap, so a small file that claims a huge canvas (a decompression bomb)
 * is refused from its header instead of being expanded in memory.
 */
import sharp from 'sharp';
import { FETCH_LIMITS } from '../core/fetch-policy';
import type { Format } from '../core/size';

sharp.concurrency(1);
sharp.cache(false);

/** Raster formats we decode from a provider. */
const INPUT_FORMATS = new Set(['jpeg', 'png', 'webp', 'gif', 'avif', 'heif', 'tiff']);

export class ImageRejected extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'ImageRejected';
  }
}

/** sharp's refusal of an input over limitInputPixels ("Input image exceeds pixel limit") */
const pixelLimit = (e: unknown) => /pixel limit/i.test(String((e as Error)?.message));

const decodeOptions = (maxPixels: number) =>
  ({ limitInputPixels: maxPixels, failOn: 'error', pages: 1 }) as const;

/** Header-only check of an original: a known raster format within the pixel cap. */
export async function inspectOriginal(
  bytes: Buffer,
  maxPixels: number = FETCH_LIMITS.maxInputPixels,
): Promise<{ format: string; width: number; height: number }> {
  let meta: Awaited<ReturnType<ReturnType<typeof sharp>['metadata']>>;
  try {
    meta = await sharp(bytes, decodeOptions(maxPixels)).metadata();
  } catch (e) {
    throw new ImageRejected(pixelLimit(e) ? 'too_many_pixels' : 'undecodable');
  }
  const { format, width, height } = meta;
  if (!format || !INPUT_FORMATS.has(format)) throw new ImageRejected('format');
  if (!width || !height) throw new ImageRejected('dimensions');
  if (width * height > maxPixels) throw new ImageRejected('too_many_pixels');
  return { format, width, height };
}

/**
 * Square cover crop to exactly size×size in the requested format (metadata stripped). The crop
 * follows libvips' attention strategy (the region with the most luminance frequency, saturation
 * and skin tone), so a face that is not centred in a non-square photo stays in the square.
 */
export async function renderVariant(
  original: Buffer,
  size: number,
  format: Format,
  maxPixels: number = FETCH_LIMITS.maxInputPixels,
): Promise<Buffer> {
  try {
    const img = sharp(original, decodeOptions(maxPixels))
      .rotate()
      .resize(size, size, { fit: 'cover', position: sharp.strategy.attention });
    if (format === 'jpeg')
      return await img.flatten({ background: '#ffffff' }).jpeg({ quality: 82, mozjpeg: true }).toBuffer();
    if (format === 'png') return await img.png({ compressionLevel: 9 }).toBuffer();
    return await img.webp({ quality: 82 }).toBuffer();
  } catch (e) {
    if (e instanceof ImageRejected) throw e;
    throw new ImageRejected(pixelLimit(e) ? 'too_many_pixels' : 'undecodable');
  }
}

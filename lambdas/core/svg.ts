/**
 * SVG fallbacks. Only validated values are interpolated: initials [A-Z]{0,2}, a palette colour
 * and one of the snapped sizes. No input text is ever placed in an SVG. Drawn on a 128-unit
 * canvas; `width`/`height` are the size asked for, so an `<img>` without its own width shows the
 * initials at the size the avatar URL named.
 */
import { colourFor, initialsFromSlug, PALETTE } from './initials';
import { DEFAULT_SIZE, SIZES } from './size';

/** Served with every SVG (error fallbacks and CDN objects): no scripts, no external loads. */
export const SVG_CSP = "default-src 'none'; style-src 'unsafe-inline'";

const SIZE = 128;
const INITIALS_RE = /^[A-Z]{0,2}$/;

function person(fill: string): string {
  return (
    `<circle cx="64" cy="50" r="22" fill="${fill}"/>` +
    `<path d="M24 112c4-22 20-34 40-34s36 12 40 34z" fill="${fill}"/>`
  );
}

export function initialsSvg(initials: string, colour: string, size: number = DEFAULT_SIZE): string {
  if (!INITIALS_RE.test(initials)) throw new Error('initials must be [A-Z]{0,2}');
  if (!(PALETTE as readonly string[]).includes(colour)) throw new Error('colour must come from the palette');
  if (!(SIZES as readonly number[]).includes(size)) throw new Error('size must be one of the snapped sizes');
  const inner = initials
    ? `<text x="50%" y="50%" dy=".35em" text-anchor="middle" fill="#ffffff" ` +
      `font-family="-apple-system,Segoe UI,Helvetica,Arial,sans-serif" font-size="52" font-weight="600">${initials}</text>`
    : person('#ffffff');
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${size}" height="${size}" viewBox="0 0 ${SIZE} ${SIZE}" role="img">` +
    `<rect width="${SIZE}" height="${SIZE}" fill="${colour}"/>${inner}</svg>`
  );
}

/** A profile's initials SVG, from its slug: the same image as an error fallback and as a CDN object. */
export function initialsSvgForSlug(slug: string, size: number = DEFAULT_SIZE): string {
  return initialsSvg(initialsFromSlug(slug), colourFor(slug), size);
}

/** Neutral silhouette for when there is no valid profile. */
export function silhouetteSvg(): string {
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${SIZE}" height="${SIZE}" viewBox="0 0 ${SIZE} ${SIZE}" role="img">` +
    `<rect width="${SIZE}" height="${SIZE}" fill="#d0d7de"/>${person('#8c959f')}</svg>`
  );
}

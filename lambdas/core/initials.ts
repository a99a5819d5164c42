/**
 * Initials and colour for a profile slug. Output is restricted to [A-Z]{0,2} and a colour from a
 * fixed palette, so no input text can ever reach an SVG.
 */
import { createHash } from 'node:crypto';

/** Accessible mid-tone backgrounds (white text readable on each). */
export const PALETTE = [
  '#1f6feb',
  '#8250df',
  '#bf3989',
  '#cf222e',
  '#bc4c00',
  '#9a6700',
  '#1a7f37',
  '#0a7f7f',
  '#0969da',
  '#6e40c9',
  '#57606a',
  '#953800',
] as const;

function letter(part: string): string | undefined {
  const ascii = part.normalize('NFD').replace(/[^A-Za-z]/g, '');
  return ascii ? ascii[0].toUpperCase() : undefined;
}

/** Up to two capital letters A–Z: first letters of the first and last name-like parts of the slug. */
export function initialsFromSlug(slug: string): string {
  // LinkedIn appends ids like `-1a2b3c4d`: parts with digits are not name parts
  const parts = slug.split(/[-_]+/).filter((p) => p && !/\d/.test(p));
  const letters = parts.map(letter).filter((l): l is string => !!l);
  if (letters.length === 0) return '';
  if (letters.length === 1) return letters[0];
  return letters[0] + letters[letters.length - 1];
}

export function colourFor(slug: string): string {
  const h = createHash('sha256').update(slug, 'utf8').digest();
  return PALETTE[h.readUInt32BE(0) % PALETTE.length];
}

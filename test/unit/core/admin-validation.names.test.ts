/**
 * Names shown to operators (CLI, console) must not be able to reorder what is displayed around
 * them: bidi controls are refused like other control characters (400 invalid_request naming the
 * field), in workspace and key names, on create and on update.
 */
import {
  parseKeyCreate,
  parseKeyUpdate,
  parseWorkspaceCreate,
  parseWorkspaceUpdate,
} from '../../../lambdas/core/admin-validation';

const BIDI = [
  '\u061c',
  '\u200e',
  '\u200f',
  '\u202a',
  '\u202b',
  '\u202c',
  '\u202d',
  '\u202e',
  '\u2066',
  '\u2067',
  '\u2068',
  '\u2069',
];
const anyDomain = (e: string) => e;

const parsers: [string, (name: string) => unknown][] = [
  ['workspace create', (name) => parseWorkspaceCreate({ name, monthly_quota: 1 })],
  ['workspace update', (name) => parseWorkspaceUpdate({ name })],
  ['key create', (name) => parseKeyCreate({ type: 'secret', name }, anyDomain)],
  ['key update', (name) => parseKeyUpdate({ name }, anyDomain)],
];

function refusal(fn: () => unknown) {
  try {
    fn();
  } catch (e) {
    const err = e as { status: number; code: string; param?: string; message: string };
    return { status: err.status, code: err.code, param: err.param, message: err.message };
  }
  return undefined;
}

describe.each(parsers)('%s', (_what, parse) => {
  test.each(BIDI.map((c) => [`U+${c.codePointAt(0)?.toString(16).toUpperCase().padStart(4, '0')}`, c]))(
    'refuses %s inside a name, like a control character',
    (_cp, c) => {
      const control = refusal(() => parse('evil\u0007name'));
      expect(control).toMatchObject({ status: 400, code: 'invalid_request', param: 'name' });
      expect(refusal(() => parse(`invoice${c}fdp.exe`))).toEqual(control);
    },
  );

  test('accepts names in right-to-left scripts and with ordinary punctuation (control)', () => {
    for (const name of ['شركة المثال', 'חברה בע״מ', 'Acme — staging (EU)', 'Zoë’s café']) {
      expect(refusal(() => parse(name))).toBeUndefined();
    }
  });
});

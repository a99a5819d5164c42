import { normaliseLinkedinUrl, parseProfile } from '../../../lambdas/core/profile';

describe('linkedin_url normalisation', () => {
  it.each([
    ['linkedin.com/in/alex-rivera', 'linkedin.com/in/alex-rivera'],
    ['https://www.linkedin.com/in/alex-rivera/', 'linkedin.com/in/alex-rivera'],
    ['http://uk.linkedin.com/in/Alex-Rivera?trk=x', 'linkedin.com/in/alex-rivera'],
    ['HTTPS://WWW.LINKEDIN.COM/in/ALEX', 'linkedin.com/in/alex'],
    ['https%3A%2F%2Fwww.linkedin.com%2Fin%2Falex-rivera%2F', 'linkedin.com/in/alex-rivera'],
    ['https%253A%252F%252Flinkedin.com%252Fin%252Falex', 'linkedin.com/in/alex'],
    ['linkedin.com/in/jos%C3%A9-garc%C3%ADa', 'linkedin.com/in/josé-garcía'],
    ['linkedin.com/in/alex-rivera#about', 'linkedin.com/in/alex-rivera'],
    ['  linkedin.com/in/alex_r  ', 'linkedin.com/in/alex_r'],
    ['https://m.linkedin.com/in/alex-rivera', 'linkedin.com/in/alex-rivera'],
  ])('%s → %s', (input, out) => expect(normaliseLinkedinUrl(input)).toBe(out));

  it.each([
    '',
    'alex-rivera',
    'linkedin.com/in/',
    'linkedin.com/in//',
    'linkedin.com/company/acme',
    'linkedin.com/in/alex/details',
    'https://evil.com/in/alex',
    'https://linkedin.com.evil.com/in/alex',
    'https://evil.linkedin.com.evil/in/alex',
    'https://user@linkedin.com/in/alex',
    'https://linkedin.com:8080/in/alex',
    'https://deep.sub.linkedin.com/in/alex',
    'https://mx.m.linkedin.com/in/alex',
    'javascript:alert(1)//linkedin.com/in/alex',
    'linkedin.com/in/alex%2Fother',
    'linkedin.com/in/a%20b',
    'linkedin.com/in/<script>',
    'linkedin.com/in/%E0%A4%A',
    `linkedin.com/in/${'a'.repeat(101)}`,
    `linkedin.com/in/a?${'x'.repeat(5000)}`,
    'ftp://linkedin.com/in/alex',
  ])('refuses %p', (input) => expect(normaliseLinkedinUrl(input)).toBeUndefined());

  it('parseProfile throws 400 invalid_request naming linkedin_url', () => {
    for (const bad of [undefined, '', 'nope']) {
      try {
        parseProfile(bad);
        throw new Error('expected a throw');
      } catch (e) {
        expect(e).toMatchObject({ code: 'invalid_request', status: 400, param: 'linkedin_url' });
      }
    }
  });
});

describe('properties', () => {
  const fc = require('fast-check') as typeof import('fast-check');
  it('normalised output is always linkedin.com/in/<safe slug>, and normalising is idempotent', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ maxLength: 80 }),
          fc.string({ unit: 'binary', maxLength: 40 }).map((s) => `https://www.linkedin.com/in/${s}`),
          fc.string({ maxLength: 40 }).map((s) => `linkedin.com/in/${encodeURIComponent(s)}`),
        ),
        (raw) => {
          const out = normaliseLinkedinUrl(raw);
          if (out === undefined) return;
          expect(out).toMatch(/^linkedin\.com\/in\/[\p{L}\p{M}\p{N}_-]{1,100}$/u);
          expect(out).toBe(out.toLowerCase());
          expect(normaliseLinkedinUrl(out)).toBe(out);
        },
      ),
      { numRuns: 2000 },
    );
  });
});

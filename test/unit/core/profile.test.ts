import {
  normaliseLinkedinUrl,
  normaliseUsername,
  parseProfile,
  profileOf,
} from '../../../lambdas/core/profile';

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
        parseProfile({ linkedin_url: bad });
        throw new Error('expected a throw');
      } catch (e) {
        expect(e).toMatchObject({ code: 'invalid_request', status: 400, param: 'linkedin_url' });
      }
    }
  });
});

describe('username: the slug after /in/, normalised like the slug of a linkedin_url', () => {
  it.each([
    ['alex-rivera', 'linkedin.com/in/alex-rivera'],
    ['Alex-Rivera', 'linkedin.com/in/alex-rivera'],
    ['  alex_r ', 'linkedin.com/in/alex_r'],
    ['jos%C3%A9-garc%C3%ADa', 'linkedin.com/in/josé-garcía'],
    ['JOSÉ', 'linkedin.com/in/josé'],
    ['Jose\u0301', 'linkedin.com/in/josé'],
  ])('%s → %s', (input, out) => expect(normaliseUsername(input)).toBe(out));

  it.each([
    '',
    '   ',
    'linkedin.com/in/alex',
    'alex/details',
    'a b',
    'a%20b',
    'alex%2Fother',
    '<script>',
    '%E0%A4%A',
    'a'.repeat(101),
    'alex?trk=x',
    42,
    null,
    ['alex'],
  ])('refuses %p', (input) => expect(normaliseUsername(input)).toBeUndefined());

  it('names the same profile as the linkedin_url with that slug', () => {
    for (const slug of ['alex-rivera', 'José', 'dana_scully-2']) {
      expect(parseProfile({ username: slug })).toBe(
        parseProfile({ linkedin_url: `https://www.linkedin.com/in/${encodeURIComponent(slug)}/` }),
      );
    }
  });

  it.each([
    ['neither', 'linkedin_url', {}, /linkedin_url or username is required/],
    ['both empty', 'linkedin_url', { linkedin_url: '', username: '' }, /linkedin_url or username/],
    ['both', 'username', { linkedin_url: 'linkedin.com/in/a', username: 'a' }, /not both/],
    ['both, one invalid', 'username', { linkedin_url: 'nope', username: 'a' }, /not both/],
    ['an invalid username', 'username', { username: 'a/b' }, /username must be/],
    ['an invalid linkedin_url', 'linkedin_url', { linkedin_url: 'a' }, /linkedin_url must be/],
  ])('%s → 400 invalid_request naming %s', (_name, param, input, message) => {
    expect(() => parseProfile(input)).toThrow(message);
    try {
      parseProfile(input);
    } catch (e) {
      expect(e).toMatchObject({ code: 'invalid_request', status: 400, param });
    }
    expect(profileOf(input)).toBeUndefined();
  });

  it('profileOf gives the valid profile of either parameter', () => {
    expect(profileOf({ username: 'Dana-Scully' })).toBe('linkedin.com/in/dana-scully');
    expect(profileOf({ linkedin_url: 'linkedin.com/in/dana-scully' })).toBe('linkedin.com/in/dana-scully');
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

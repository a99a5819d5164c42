/** AVTRZ_MISS_RECHECK_HOURS: how long "the provider has no photo" is remembered (spec section 3). */
import { loadConfig } from '../../../lambdas/runtime/config';

test('default 24 hours', () => {
  expect(loadConfig({}).missRecheckHours).toBe(24);
  expect(loadConfig({ AVTRZ_MISS_RECHECK_HOURS: '' }).missRecheckHours).toBe(24);
});

test('a whole number of hours from 1 to a year', () => {
  expect(loadConfig({ AVTRZ_MISS_RECHECK_HOURS: '1' }).missRecheckHours).toBe(1);
  expect(loadConfig({ AVTRZ_MISS_RECHECK_HOURS: '8760' }).missRecheckHours).toBe(8760);
});

test.each(['0', '8761', '1.5', '-3', 'a day'])('%j is refused at load, naming the variable', (raw) => {
  expect(() => loadConfig({ AVTRZ_MISS_RECHECK_HOURS: raw })).toThrow(/AVTRZ_MISS_RECHECK_HOURS/);
});

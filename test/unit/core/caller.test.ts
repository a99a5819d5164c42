/** Who a console token's claims describe (core/caller.ts), in the shapes the authorizer passes them. */
import { callerFromClaims, claimValues, mayAccessWorkspace } from '../../../lambdas/core/caller';

const A = 'ws_0123456789abcdef';
const B = 'ws_fedcba9876543210';

describe('claimValues: a list claim as API Gateway (or a raw token) carries it', () => {
  test.each([
    ['[avtrz-operators]', ['avtrz-operators']],
    ['[admins avtrz-operators]', ['admins', 'avtrz-operators']],
    [
      ['avtrz-operators', 'x'],
      ['avtrz-operators', 'x'],
    ],
    [`${A},${B}`, [A, B]],
    [` ${A} `, [A]],
    ['[]', []],
    ['', []],
    [undefined, []],
    [42, []],
  ])('%p → %p', (raw, values) => {
    expect(claimValues(raw)).toEqual(values);
  });
});

describe('callerFromClaims', () => {
  test('the group avtrz-operators (API Gateway rendering) is an operator', () => {
    expect(callerFromClaims({ sub: 's1', 'cognito:groups': '[other avtrz-operators]' })).toEqual({
      kind: 'operator',
      subject: 's1',
    });
  });

  test('a group that merely contains the name is not', () => {
    expect(callerFromClaims({ sub: 's', 'cognito:groups': '[avtrz-operators-old]' }).kind).toBe('member');
  });

  test('anyone else is a member of the well-formed ids of custom:workspaces only', () => {
    expect(callerFromClaims({ sub: 's2', 'custom:workspaces': `${A},not-an-id,${B},${A}` })).toEqual({
      kind: 'member',
      subject: 's2',
      workspaces: [A, B],
    });
    expect(callerFromClaims({ sub: 's3' })).toEqual({ kind: 'member', subject: 's3', workspaces: [] });
  });

  test('mayAccessWorkspace: operators everything, members their list', () => {
    const member = callerFromClaims({ 'custom:workspaces': A });
    expect(mayAccessWorkspace(member, A)).toBe(true);
    expect(mayAccessWorkspace(member, B)).toBe(false);
    expect(mayAccessWorkspace({ kind: 'operator', subject: 'iam' }, B)).toBe(true);
  });
});

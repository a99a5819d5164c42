/**
 * `avtrz users invite`: a console user (spec section 11). The user pool has no self sign-up, so
 * this is how anyone gets in.
 *
 * - With `--region` (a deployed stack): Cognito AdminCreateUser (Cognito e-mails a temporary
 *   password) with `custom:workspaces`, then AdminAddUserToGroup `avtrz-operators` for an
 *   operator. The pool is `--user-pool`, else the output ConsoleUserPoolId of the stack
 *   (`--stack`, default avtrz-prod).
 * - Without it (the local stack): the OIDC stand-in's admin-token-protected `POST /oidc/users`;
 *   the user is then on the local sign-in picker.
 *
 * The AWS SDK clients are loaded inside `run`, so they cost nothing to other commands.
 */
import { OPERATORS_GROUP, WORKSPACES_CLAIM } from '../../lambdas/core/caller';
import { defineCommand, UsageError } from './registry';

const EMAIL = /^[^\s@<>"'&]{1,64}@[^\s@<>"'&]{1,190}$/;
const WS_ID = /^ws_[0-9A-Za-z]{16}$/;
const POOL_ID = /^[a-z]{2}(-[a-z]+)+-\d_[0-9A-Za-z]+$/;
const DEFAULT_STACK = 'avtrz-prod';
/** a custom attribute holds at most 2048 characters */
const MAX_WORKSPACES_CHARS = 2048;

export interface Invitation {
  email: string;
  operator: boolean;
  workspaces: string[];
}

/** The flags as an invitation, or a UsageError saying what is wrong. */
export function parseInvitation(
  email: string | undefined,
  operator: boolean,
  workspaces: string[],
): Invitation {
  const e = (email ?? '').trim().toLowerCase();
  if (!EMAIL.test(e)) throw new UsageError('--email must be an email address');
  const ids = [
    ...new Set(
      workspaces
        .flatMap((w) => w.split(','))
        .map((w) => w.trim())
        .filter(Boolean),
    ),
  ];
  if (operator && ids.length) {
    throw new UsageError('pass --operator or --workspace, not both: an operator sees every workspace');
  }
  if (!operator && !ids.length) {
    throw new UsageError(
      'pass --operator (every workspace) or --workspace ws_… (repeatable): a user needs one',
    );
  }
  for (const id of ids) if (!WS_ID.test(id)) throw new UsageError(`--workspace takes workspace ids (ws_…)`);
  if (ids.join(',').length > MAX_WORKSPACES_CHARS) throw new UsageError('too many workspaces for one user');
  return { email: e, operator, workspaces: ids };
}

/** The user pool: --user-pool, else the stack's ConsoleUserPoolId output. */
async function userPoolId(region: string, flag: string | undefined, stackName: string): Promise<string> {
  if (flag) {
    if (!POOL_ID.test(flag))
      throw new UsageError('--user-pool takes a user pool id such as eu-west-1_AbCdEf123');
    return flag;
  }
  const { CloudFormationClient, DescribeStacksCommand } = await import('@aws-sdk/client-cloudformation');
  const cfn = new CloudFormationClient({ region });
  try {
    const out = await cfn.send(new DescribeStacksCommand({ StackName: stackName }));
    const id = out.Stacks?.[0]?.Outputs?.find((o) => o.OutputKey === 'ConsoleUserPoolId')?.OutputValue;
    if (!id) throw new Error(`the stack ${stackName} has no ConsoleUserPoolId output: pass --user-pool`);
    return id;
  } finally {
    cfn.destroy();
  }
}

async function inviteInCognito(region: string, poolId: string, inv: Invitation) {
  const { AdminAddUserToGroupCommand, AdminCreateUserCommand, CognitoIdentityProviderClient } = await import(
    '@aws-sdk/client-cognito-identity-provider'
  );
  const cognito = new CognitoIdentityProviderClient({ region });
  try {
    const attributes = [
      { Name: 'email', Value: inv.email },
      { Name: 'email_verified', Value: 'true' },
    ];
    if (inv.workspaces.length) attributes.push({ Name: WORKSPACES_CLAIM, Value: inv.workspaces.join(',') });
    const created = await cognito.send(
      new AdminCreateUserCommand({
        UserPoolId: poolId,
        Username: inv.email,
        UserAttributes: attributes,
        DesiredDeliveryMediums: ['EMAIL'],
      }),
    );
    if (inv.operator) {
      await cognito.send(
        new AdminAddUserToGroupCommand({
          UserPoolId: poolId,
          Username: inv.email,
          GroupName: OPERATORS_GROUP,
        }),
      );
    }
    return {
      user: {
        email: inv.email,
        sub: created.User?.Attributes?.find((a) => a.Name === 'sub')?.Value,
        status: created.User?.UserStatus,
        groups: inv.operator ? [OPERATORS_GROUP] : [],
        workspaces: inv.workspaces,
      },
      user_pool: poolId,
    };
  } catch (e) {
    const name = (e as { name?: string })?.name;
    if (name === 'UsernameExistsException') throw new Error(`${inv.email} is already a user of ${poolId}`);
    throw e;
  } finally {
    cognito.destroy();
  }
}

export const usersInvite = defineCommand({
  name: 'users invite',
  summary: 'invite a console user: an operator, or a member of some workspaces',
  description:
    "With --region: Cognito creates the user and e-mails a temporary password. Without it: the user is added to the local stack's sign-in page.",
  flags: [
    {
      name: 'email',
      type: 'string',
      value: 'EMAIL',
      required: true,
      help: "the user's e-mail address (their sign-in name)",
    },
    { name: 'operator', type: 'boolean', help: `put the user in ${OPERATORS_GROUP}: every workspace` },
    {
      name: 'workspace',
      type: 'string',
      value: 'ws_…',
      repeatable: true,
      idPrefix: 'ws_',
      help: 'a workspace the user may see (their custom:workspaces)',
    },
    {
      name: 'user-pool',
      type: 'string',
      value: 'ID',
      help: 'the user pool (default: the stack output ConsoleUserPoolId)',
    },
    {
      name: 'stack',
      type: 'string',
      value: 'NAME',
      help: `the stack whose user pool to use (default ${DEFAULT_STACK})`,
    },
  ],
  examples: [
    'users invite --email ops@example.com --operator --region eu-west-1',
    'users invite --email dev@example.com --workspace ws_0123456789abcdef --region eu-west-1',
    'users invite --email dev@example.com --workspace ws_0123456789abcdef',
  ],
  async run(ctx) {
    const inv = parseInvitation(ctx.str('email'), ctx.bool('operator'), ctx.list('workspace') ?? []);
    const region = ctx.str('region');
    const role = inv.operator
      ? `an operator (${OPERATORS_GROUP})`
      : `a member of ${inv.workspaces.join(', ')}`;
    if (region) {
      const pool = await userPoolId(region, ctx.str('user-pool'), ctx.str('stack') ?? DEFAULT_STACK);
      const out = await inviteInCognito(region, pool, inv);
      ctx.print(`invited ${inv.email} as ${role} to ${pool}: Cognito e-mails a temporary password\n`, out);
      return 0;
    }
    if (ctx.str('user-pool')) throw new UsageError('--user-pool needs --region (a deployed stack)');
    const r = await ctx.client().request('POST', '/oidc/users', inv);
    ctx.print(
      `added ${inv.email} as ${role}: pick them on the local sign-in page (${ctx.endpoint}/console/)\n`,
      r.body,
    );
    return 0;
  },
});

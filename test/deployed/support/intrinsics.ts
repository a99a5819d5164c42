/**
 * CloudFormation intrinsics resolved against the local stand-ins: `Ref` and `Fn::GetAtt` of a
 * resource give what CloudFormation would give for it once created (a table's name, a function's
 * ARN, a distribution's domain name), as the deployment chose them. Anything not modelled throws,
 * naming it, so a template that starts to use a new kind of value fails loudly here instead of
 * running with a wrong one.
 */
import type { Cfn } from './template';

export interface Physical {
  ref?: string;
  attrs?: Record<string, string>;
}

export interface IntrinsicContext {
  region: string;
  accountId: string;
  stackName: string;
  resources: Record<string, Physical>;
}

export function resolve(v: Cfn, ctx: IntrinsicContext): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (!v || typeof v !== 'object') throw new Error(`cannot resolve ${JSON.stringify(v)}`);
  const [fn, arg] = Object.entries(v)[0] as [string, Cfn];
  switch (fn) {
    case 'Ref':
      return ref(arg, ctx);
    case 'Fn::GetAtt': {
      const [id, attr] = Array.isArray(arg) ? arg : String(arg).split('.');
      const value = ctx.resources[id]?.attrs?.[attr];
      if (value === undefined)
        throw new Error(`Fn::GetAtt ${id}.${attr} is not modelled by the deployed tier`);
      return value;
    }
    case 'Fn::Join':
      return (arg[1] as Cfn[]).map((x) => resolve(x, ctx)).join(arg[0]);
    case 'Fn::Select':
      return resolveList(arg[1], ctx)[Number(resolve(arg[0], ctx))];
    case 'Fn::Sub':
      return String(Array.isArray(arg) ? arg[0] : arg).replace(/\$\{([^}]+)\}/g, (_, name: string) =>
        name.includes('.') ? resolve({ 'Fn::GetAtt': name.split('.') }, ctx) : ref(name, ctx),
      );
    default:
      throw new Error(`${fn} is not modelled by the deployed tier`);
  }
}

function resolveList(v: Cfn, ctx: IntrinsicContext): string[] {
  if (Array.isArray(v)) return v.map((x) => resolve(x, ctx));
  if (v?.['Fn::Split']) return resolve(v['Fn::Split'][1], ctx).split(v['Fn::Split'][0]);
  throw new Error(`cannot resolve list ${JSON.stringify(v)}`);
}

function ref(name: string, ctx: IntrinsicContext): string {
  switch (name) {
    case 'AWS::Region':
      return ctx.region;
    case 'AWS::AccountId':
      return ctx.accountId;
    case 'AWS::StackName':
      return ctx.stackName;
    case 'AWS::StackId':
      // arn:aws:cloudformation:<region>:<account>:stack/<name>/<uuid>, with a fixed uuid
      return `arn:aws:cloudformation:${ctx.region}:${ctx.accountId}:stack/${ctx.stackName}/0d1e2f30-4a5b-11f1-8c6d-0a1b2c3d4e5f`;
    case 'AWS::Partition':
      return 'aws';
    case 'AWS::URLSuffix':
      return 'amazonaws.com';
  }
  const value = ctx.resources[name]?.ref;
  if (value === undefined) throw new Error(`Ref ${name} is not modelled by the deployed tier`);
  return value;
}

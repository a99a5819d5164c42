// biome-ignore-all lint/suspicious/noExplicitAny: CloudFormation template JSON is untyped
/**
 * Security review: the DynamoDB actions any function may call are exactly those the store code
 * issues (lambdas/store/*.ts is the only code that talks to DynamoDB). A grant nobody uses is
 * only reach for an attacker: e.g. DeleteItem would let the public avatar function erase key and
 * workspace records. The template is synthesised without bundling (it does not depend on it).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { buildApp } from '../../bin/app';
import { TABLE_ACTIONS } from '../../lib/constructs/function';

const STORE = path.resolve(__dirname, '..', '..', 'lambdas', 'store');

/** document-client command / transaction item kind -> IAM action */
const COMMAND_ACTIONS: Record<string, string> = {
  GetCommand: 'dynamodb:GetItem',
  PutCommand: 'dynamodb:PutItem',
  UpdateCommand: 'dynamodb:UpdateItem',
  DeleteCommand: 'dynamodb:DeleteItem',
  QueryCommand: 'dynamodb:Query',
  ScanCommand: 'dynamodb:Scan',
  BatchGetCommand: 'dynamodb:BatchGetItem',
  BatchWriteCommand: 'dynamodb:BatchWriteItem',
  TransactGetCommand: 'dynamodb:GetItem',
};
const TRANSACT_ITEM_ACTIONS: Record<string, string> = {
  Put: 'dynamodb:PutItem',
  Update: 'dynamodb:UpdateItem',
  Delete: 'dynamodb:DeleteItem',
  ConditionCheck: 'dynamodb:ConditionCheckItem',
};

function actionsTheStoreIssues(): Set<string> {
  const used = new Set<string>();
  for (const f of fs.readdirSync(STORE).filter((n) => n.endsWith('.ts'))) {
    const src = fs.readFileSync(path.join(STORE, f), 'utf8');
    for (const m of src.matchAll(/new (\w+Command)\b/g)) {
      if (m[1] in COMMAND_ACTIONS) used.add(COMMAND_ACTIONS[m[1]]);
      // InvokeCommand is the resolver port's Lambda call (its grant is checked elsewhere)
      else if (m[1] !== 'TransactWriteCommand' && !m[1].endsWith('ObjectCommand') && m[1] !== 'InvokeCommand')
        throw new Error(`${f}: map ${m[1]} to its IAM action in this test`);
    }
    if (src.includes('TransactWriteCommand')) {
      for (const m of src.matchAll(/\b(Put|Update|Delete|ConditionCheck):\s*\{/g))
        used.add(TRANSACT_ITEM_ACTIONS[m[1]]);
    }
  }
  return used;
}

test('no function is granted a DynamoDB action the store code never issues', () => {
  const app = new App({ context: { stage: 'dev', 'aws:cdk:bundling-stacks': [] } });
  const stack = buildApp(app, { account: '123456789012', region: 'eu-west-1' });
  const policies = Template.fromStack(stack).findResources('AWS::IAM::Policy');
  const granted = new Set<string>();
  for (const p of Object.values(policies) as any[]) {
    for (const st of p.Properties.PolicyDocument.Statement) {
      for (const a of [st.Action].flat()) if (String(a).startsWith('dynamodb:')) granted.add(a);
    }
  }
  const used = actionsTheStoreIssues();
  // the scan found the store's real calls (so an empty set cannot make this pass)
  expect([...used]).toEqual(expect.arrayContaining(['dynamodb:GetItem', 'dynamodb:UpdateItem']));
  expect(granted.size).toBeGreaterThan(0);
  expect([...granted].filter((a) => !used.has(a)).sort()).toEqual([]);
  // and the other way: the writers may issue everything the store does (IAM is not exercised by
  // DynamoDB Local, so a missing grant would only show in AWS)
  expect([...used].filter((a) => !(TABLE_ACTIONS.readwrite as readonly string[]).includes(a))).toEqual([]);
});

/** The S3 statements of the role of route `id`'s function (dev stage, unbundled). */
function s3StatementsOf(ids: string[]): { bucketId: string; byId: Map<string, any[]> } {
  const app = new App({ context: { stage: 'dev', 'aws:cdk:bundling-stacks': [] } });
  const stack = buildApp(app, { account: '123456789012', region: 'eu-west-1' });
  const json = Template.fromStack(stack).toJSON() as { Resources: Record<string, any> };
  const bucketId = stack.resolve((stack.data.bucket.node.defaultChild as any).logicalId);
  const byId = new Map<string, any[]>();
  for (const id of ids) {
    const fn = stack.api.functions.get(id);
    if (!fn) throw new Error(`no function ${id}`);
    const roleId = stack.resolve((fn.role.node.defaultChild as any).logicalId);
    const s3 = Object.values(json.Resources)
      .filter(
        (r) =>
          r.Type === 'AWS::IAM::Policy' &&
          JSON.stringify(r.Properties.Roles) === JSON.stringify([{ Ref: roleId }]),
      )
      .flatMap((r) => r.Properties.PolicyDocument.Statement)
      .filter((st: any) => [st.Action].flat().some((a: string) => a.startsWith('s3:')));
    byId.set(id, s3);
  }
  return { bucketId, byId };
}

test('the public avatar and batch functions may only put served objects (a/), never read or touch originals (o/)', () => {
  const { bucketId, byId } = s3StatementsOf(['Avatar', 'AvatarsBatch']);
  for (const [id, s3] of byId) {
    // they write the initials SVG when the resolver is unreachable, and nothing else in S3
    expect({ id, s3 }).toEqual({
      id,
      s3: [
        {
          Effect: 'Allow',
          Action: 's3:PutObject',
          Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [bucketId, 'Arn'] }, '/a/*']] },
        },
      ],
    });
  }
});

test('the MCP function may read and put served objects (a/) only, never originals (o/)', () => {
  const { bucketId, byId } = s3StatementsOf(['Mcp']);
  // it reads a small variant back to inline it in the tool result, and writes initials like Avatar
  expect(byId.get('Mcp')).toEqual([
    {
      Effect: 'Allow',
      Action: ['s3:GetObject', 's3:PutObject'],
      Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [bucketId, 'Arn'] }, '/a/*']] },
    },
    { Effect: 'Allow', Action: 's3:ListBucket', Resource: { 'Fn::GetAtt': [bucketId, 'Arn'] } },
  ]);
});

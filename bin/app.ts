/**
 * CDK app entry (cdk.json: `npx tsx bin/app.ts`). Options come from CDK context, validated by
 * lib/context.ts; cdk-nag's AwsSolutions pack runs on every synth.
 *
 *   npx cdk synth -c stage=prod
 *   npx cdk deploy -c stage=prod -c upstreamUrl='https://provider.example/photo?profile={profile}'
 */
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { AvtrzStack } from '../lib/avtrz-stack';
import { ContextError, parseStackOptions } from '../lib/context';

const app = new App();
let options: ReturnType<typeof parseStackOptions>;
try {
  options = parseStackOptions((k) => app.node.tryGetContext(k), process.env.CDK_DEFAULT_REGION);
} catch (e) {
  if (e instanceof ContextError) {
    process.stderr.write(`${e.message}\n`);
    process.exit(1);
  }
  throw e;
}

new AvtrzStack(app, `avtrz-${options.stage}`, {
  options,
  description: `avtrz avatar API (${options.stage})`,
  env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
});

Validations.of(app).addPlugins(new AwsSolutionsChecks(app));

/**
 * CDK app entry (cdk.json: `npx tsx bin/app.ts`). Options come from CDK context, validated by
 * lib/context.ts; cdk-nag's AwsSolutions pack runs on every synth and fails it on any
 * unacknowledged finding.
 *
 *   npx cdk synth -c stage=prod
 *   npx cdk deploy -c stage=prod -c upstreamUrl='https://provider.example/photo?profile={profile}'
 */
import { App, type Environment, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { AvtrzStack } from '../lib/avtrz-stack';
import { ContextError, parseStackOptions } from '../lib/context';

/** Build the stack into `app` from its context and register cdk-nag (tests call this too). */
export function buildApp(
  app: App,
  env: Environment = { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
): AvtrzStack {
  const options = parseStackOptions((k) => app.node.tryGetContext(k), env.region);
  const stack = new AvtrzStack(app, `avtrz-${options.stage}`, {
    options,
    description: `avtrz avatar API (${options.stage})`,
    env,
  });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return stack;
}

if (require.main === module) {
  try {
    buildApp(new App());
  } catch (e) {
    if (!(e instanceof ContextError)) throw e;
    process.stderr.write(`${e.message}\n`);
    process.exit(1);
  }
}

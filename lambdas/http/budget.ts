/**
 * The invocation's deadline around a handler (app/budget.ts has the arithmetic): taken from the
 * Lambda context when the invocation starts, so a cold start's init is already paid, minus the
 * margin the handler keeps to answer.
 */
import type { Context } from 'aws-lambda';
import type { Deadline } from '../app/ports';

/** The invocation's deadline (epoch ms), or undefined without a Lambda context. */
export function deadlineOf(context: Context | undefined, marginMs: number): number | undefined {
  if (typeof context?.getRemainingTimeInMillis !== 'function') return undefined;
  return Date.now() + context.getRemainingTimeInMillis() - marginMs;
}

type LambdaHandler<E, R> = (event: E, context: Context) => Promise<R>;

/** Run each invocation of `handler` under its deadline. */
export function withinBudget<E, R>(
  deadline: Deadline,
  handler: LambdaHandler<E, R>,
  marginMs: number,
): LambdaHandler<E, R> {
  return (event, context) => deadline.run(deadlineOf(context, marginMs), () => handler(event, context));
}

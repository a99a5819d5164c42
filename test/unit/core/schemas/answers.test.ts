/**
 * The answer schemas (what the OpenAPI document shows) are the types the code answers with: each
 * schema's output type and the use case's result type are assignable both ways, checked by tsc
 * (npm run lint). The contract test (test/e2e/openapi.contract.test.ts) checks real answers.
 */
import type * as z from 'zod/mini';
import type { BatchResult } from '../../../../lambdas/app/batch';
import type { WorkspaceUpdated as WorkspaceUpdatedType } from '../../../../lambdas/app/workspaces';
import type { createdKeyView, KeyView } from '../../../../lambdas/core/keys/view';
import type { WorkspaceRecord } from '../../../../lambdas/core/records';
import type { CreatedKey, Key, Workspace, WorkspaceUpdated } from '../../../../lambdas/core/schemas/admin';
import type { BatchResponse } from '../../../../lambdas/core/schemas/avatar';
import type { UsageResponse } from '../../../../lambdas/core/schemas/usage';
import type { UsageResponse as UsageResponseType } from '../../../../lambdas/core/usage';

/** true when A and B are the same type (optional fields, nullability and nesting included) */
type Same<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
/** the same, up to how the type is spelled (intersections, interfaces vs object literals) */
type Flat<T> = T extends (infer U)[] ? Flat<U>[] : T extends object ? { [K in keyof T]: Flat<T[K]> } : T;
const same = <A, B>(ok: Same<Flat<A>, Flat<B>>) => ok;

test('each answer schema is the type its use case returns', () => {
  expect([
    same<z.output<typeof Workspace>, WorkspaceRecord>(true),
    same<z.output<typeof WorkspaceUpdated>, WorkspaceUpdatedType>(true),
    same<z.output<typeof Key>, KeyView>(true),
    same<z.output<typeof CreatedKey>, ReturnType<typeof createdKeyView>>(true),
    same<z.output<typeof UsageResponse>, UsageResponseType>(true),
    same<z.output<typeof BatchResponse>, { results: BatchResult[] }>(true),
  ]).toEqual([true, true, true, true, true, true]);
});

/**
 * The user pool's pre-token-generation trigger (event version V2_0): adds `custom:workspaces` to
 * the access token the console sends to `/v1/console/…` (core/token-claims.ts says why). Not a
 * route; Cognito invokes it, and the local OIDC stand-in (lib/local/oidc.ts) invokes this same
 * handler when it mints a token. No data access, no configuration.
 */
import type { PreTokenGenerationV2TriggerEvent } from 'aws-lambda';
import { accessTokenClaims } from '../core/token-claims';
import { createRuntime, type Runtime } from '../runtime';

export function createHandler(rt: Runtime) {
  return async (event: PreTokenGenerationV2TriggerEvent): Promise<PreTokenGenerationV2TriggerEvent> => {
    const claimsToAddOrOverride = accessTokenClaims(event.request?.userAttributes ?? {});
    rt.log.info('token claims', { trigger: event.triggerSource, added: Object.keys(claimsToAddOrOverride) });
    event.response = {
      claimsAndScopeOverrideDetails: { accessTokenGeneration: { claimsToAddOrOverride } },
    };
    return event;
  };
}

export const handler = createHandler(createRuntime());

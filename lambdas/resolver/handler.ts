// Placeholder so the stack synthesises; the owner of lambdas/resolver replaces this file.
// The resolver is invoked directly (not through API Gateway); until it exists every call fails.
export const handler = async (): Promise<never> => {
  throw new Error('resolver not implemented');
};

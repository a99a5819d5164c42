// placeholder: filled once the resolver lands
export async function resolverMemory(_o: unknown): Promise<Record<string, unknown>> {
  throw new Error('resolver not available yet');
}

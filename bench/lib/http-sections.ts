// placeholder: filled once the local stack lands
export async function runHttpSections(_o: unknown): Promise<Record<string, unknown>> {
  throw new Error('local stack not available yet');
}

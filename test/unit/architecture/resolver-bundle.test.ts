/**
 * The resolver (sharp, the guarded fetcher) is its own Lambda: the functions that call it reach
 * it only through lambdas/store/resolver-lambda.ts, whose in-process fallback path is not a
 * literal. So no module under lambdas/resolver/ may end up in their bundles; the initials object
 * they store when the resolver is unreachable comes from lambdas/store/initials.ts.
 */
import path from 'node:path';
import { build } from 'esbuild';

const ROOT = path.resolve(__dirname, '../../..');

async function bundledModules(entry: string): Promise<string[]> {
  const res = await build({
    entryPoints: [path.join(ROOT, entry)],
    bundle: true,
    write: false,
    metafile: true,
    platform: 'node',
    target: 'node22',
    format: 'cjs',
    packages: 'external',
    absWorkingDir: ROOT,
    logLevel: 'silent',
  });
  return Object.keys(res.metafile.inputs);
}

test.each(['lambdas/avatar/handler.ts', 'lambdas/batch/handler.ts'])(
  '%s bundles nothing from lambdas/resolver/, and its own initials fallback',
  async (entry) => {
    const modules = await bundledModules(entry);
    expect(modules).toContain('lambdas/store/resolver-lambda.ts');
    expect(modules).toContain('lambdas/store/initials.ts');
    expect(modules.filter((m) => m.startsWith('lambdas/resolver/'))).toEqual([]);
  },
);

test('the resolver bundle is where its modules go', async () => {
  const modules = await bundledModules('lambdas/resolver/handler.ts');
  expect(modules).toEqual(
    expect.arrayContaining(['lambdas/resolver/resolve.ts', 'lambdas/resolver/fetcher.ts']),
  );
});

// Jest transform: TypeScript (and ESM-only dependencies such as @middy/core) -> CommonJS with esbuild.
// Types are checked separately by `tsc --noEmit`.
const { transformSync } = require('esbuild');

const LOADERS = { '.ts': 'ts', '.tsx': 'tsx', '.js': 'js', '.mjs': 'js' };

module.exports = {
  process(source, filename) {
    const ext = filename.slice(filename.lastIndexOf('.'));
    const out = transformSync(source, {
      loader: LOADERS[ext] || 'js',
      format: 'cjs',
      target: 'es2022',
      sourcemap: 'inline',
      sourcefile: filename,
    });
    return { code: out.code };
  },
};

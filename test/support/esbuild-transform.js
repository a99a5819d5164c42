// Jest transform: TypeScript (and ESM-only dependencies such as @middy/core) -> CommonJS with esbuild.
// Types are checked separately by `tsc --noEmit`.
const { createHash } = require('node:crypto');
const { readFileSync } = require('node:fs');
const { transformSync } = require('esbuild');

// part of the cache key, so a change to this transform invalidates jest's transform cache
const SELF = readFileSync(__filename);

const LOADERS = { '.ts': 'ts', '.tsx': 'tsx', '.js': 'js', '.mjs': 'js' };

module.exports = {
  getCacheKey(source, filename, options) {
    return createHash('sha1')
      .update(SELF)
      .update('\0')
      .update(filename)
      .update('\0')
      .update(source)
      .update('\0')
      .update(options?.configString || '')
      .digest('hex');
  },
  process(source, filename) {
    const ext = filename.slice(filename.lastIndexOf('.'));
    const out = transformSync(source, {
      loader: LOADERS[ext] || 'js',
      format: 'cjs',
      target: 'es2022',
      sourcemap: 'inline',
      sourcefile: filename,
      // jest's CommonJS runtime cannot run `import()` (lazy SDK imports such as s3Client()):
      // lower it to `Promise.resolve().then(() => require(...))`.
      supported: { 'dynamic-import': false },
    });
    return { code: out.code };
  },
};

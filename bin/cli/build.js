// Builds the operator CLI (bin/cli/main.ts and what it imports) into one CommonJS file with
// esbuild, so `npx avtrz` starts plain Node instead of compiling TypeScript with tsx on every call.
// bin/avtrz.js calls `ensureBuilt()` on every start: it rebuilds only when the bundle is missing or
// any of its recorded inputs is newer than it (a clean clone, a `git pull`, an edit).
// `node bin/cli/build.js` builds it ahead of time.
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '../..');
const OUT_DIR = path.join(ROOT, '.cache', 'cli');
const BUNDLE = path.join(OUT_DIR, 'avtrz.cjs');

/** where the bundle and its list of inputs live (tests pass their own folder) */
const pathsOf = (outDir = OUT_DIR) => ({
  outDir,
  bundle: path.join(outDir, 'avtrz.cjs'),
  manifest: path.join(outDir, 'inputs.json'),
});

/** true when the bundle exists and no input recorded at build time changed since */
function isFresh(outDir) {
  const p = pathsOf(outDir);
  let built;
  let inputs;
  try {
    built = fs.statSync(p.bundle).mtimeMs;
    inputs = JSON.parse(fs.readFileSync(p.manifest, 'utf8')).inputs;
  } catch {
    return false;
  }
  if (!Array.isArray(inputs) || inputs.length === 0) return false;
  for (const rel of inputs) {
    let m;
    try {
      m = fs.statSync(path.join(ROOT, rel)).mtimeMs;
    } catch {
      return false; // an input was deleted or moved
    }
    if (m > built) return false;
  }
  return true;
}

/** Write via a temporary file and rename, so concurrent starts never read half a bundle. */
function writeAtomic(file, text) {
  const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
  fs.writeFileSync(tmp, text);
  fs.renameSync(tmp, file);
}

function build(outDir) {
  const p = pathsOf(outDir);
  const esbuild = require('esbuild');
  const r = esbuild.buildSync({
    absWorkingDir: ROOT,
    entryPoints: [path.join(ROOT, 'bin/cli/main.ts')],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    // packages (the SDK signer, loaded only with --region) resolve from node_modules at run time
    packages: 'external',
    write: false,
    metafile: true,
    logLevel: 'silent',
    legalComments: 'none',
  });
  fs.mkdirSync(p.outDir, { recursive: true });
  // written after esbuild read the inputs, so the bundle is never older than what it was built from
  const inputs = Object.keys(r.metafile.inputs).filter((f) => !f.includes('node_modules'));
  writeAtomic(p.bundle, r.outputFiles[0].text);
  writeAtomic(p.manifest, `${JSON.stringify({ inputs }, null, 1)}\n`);
  return p.bundle;
}

/** The bundle's path, building it first if it is missing or stale. */
function ensureBuilt(outDir) {
  return isFresh(outDir) ? pathsOf(outDir).bundle : build(outDir);
}

module.exports = { ensureBuilt, build, isFresh, BUNDLE };

if (require.main === module) {
  build();
  process.stdout.write(`built ${path.relative(process.cwd(), BUNDLE)}\n`);
}

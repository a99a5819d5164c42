/**
 * docs/deploying.md keeps up with the stack: it names every CDK context key lib/context.ts
 * accepts and every output lib/avtrz-stack.ts declares, so a new option or output cannot ship
 * undocumented.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { CONTEXT_KEYS } from '../../../lib/context';

const ROOT = path.resolve(__dirname, '../../..');
const doc = readFileSync(path.join(ROOT, 'docs/deploying.md'), 'utf8');
const stackSource = readFileSync(path.join(ROOT, 'lib/avtrz-stack.ts'), 'utf8');
const outputs = [...stackSource.matchAll(/new CfnOutput\(this, '(\w+)'/g)].map((m) => m[1]);

describe('docs/deploying.md', () => {
  it.each([...CONTEXT_KEYS])('documents the context key %s', (key) => {
    expect(doc).toContain(`\`${key}\``);
  });

  it('documents every stack output', () => {
    expect(outputs.length).toBeGreaterThanOrEqual(8);
    expect(outputs.filter((o) => !doc.includes(`\`${o}\``))).toEqual([]);
  });
});

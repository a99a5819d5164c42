/**
 * The README and every page under docs/ speak about this repository only: each relative link
 * (and image) resolves to a file or folder in the repository (an `#anchor` in another page must
 * be one of its headings), and no text points outside it — not at `../shared` nor at an absolute
 * path on the machine that wrote it.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../../..');
const pages = [
  'README.md',
  ...readdirSync(path.join(ROOT, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
];

/** `[text](target)` and `![alt](target)` outside code spans and fences; reference definitions too */
function linksOf(markdown: string): string[] {
  const prose = markdown.replace(/```[\s\S]*?```/g, '').replace(/`[^`\n]*`/g, '');
  const inline = [...prose.matchAll(/!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)].map((m) => m[1]);
  const refs = [...prose.matchAll(/^\s*\[[^\]]+\]:\s*<?(\S+?)>?(?:\s+"[^"]*")?\s*$/gm)].map((m) => m[1]);
  return [...inline, ...refs];
}

/** GitHub-style heading anchors of a page */
function anchorsOf(markdown: string): Set<string> {
  const text = markdown.replace(/```[\s\S]*?```/g, '');
  const out = new Set<string>();
  for (const m of text.matchAll(/^#{1,6}\s+(.+?)\s*#*\s*$/gm)) {
    const slug = m[1]
      .toLowerCase()
      .replace(/`/g, '')
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .trim()
      .replace(/\s/g, '-');
    out.add(slug);
  }
  return out;
}

const isExternal = (t: string) => /^[a-z][a-z0-9+.-]*:/i.test(t);

describe('links in README.md and docs/*.md', () => {
  it('finds the pages and their links', () => {
    expect(pages).toEqual(expect.arrayContaining(['README.md', 'docs/README.md', 'docs/deploying.md']));
    expect(linksOf('[a](docs/x.md) `[b](no.md)` ![i](img.png)\n```\n[c](no.md)\n```\n[r]: ref.md')).toEqual([
      'docs/x.md',
      'img.png',
      'ref.md',
    ]);
    expect([...anchorsOf('## The resolver failure queue\n## `cdk deploy`\n')]).toEqual([
      'the-resolver-failure-queue',
      'cdk-deploy',
    ]);
  });

  it.each(pages)('%s: every relative link resolves inside the repository', (page) => {
    const text = readFileSync(path.join(ROOT, page), 'utf8');
    const broken: string[] = [];
    for (const target of linksOf(text)) {
      if (isExternal(target)) continue;
      const [file, anchor] = target.split('#');
      const abs = file
        ? path.resolve(ROOT, path.dirname(page), decodeURIComponent(file))
        : path.join(ROOT, page);
      const rel = path.relative(ROOT, abs);
      if (rel.startsWith('..') || path.isAbsolute(rel)) {
        broken.push(`${target} (outside the repository)`);
        continue;
      }
      if (!existsSync(abs)) {
        broken.push(`${target} (no such file)`);
        continue;
      }
      if (anchor && statSync(abs).isFile() && abs.endsWith('.md')) {
        if (!anchorsOf(readFileSync(abs, 'utf8')).has(anchor)) broken.push(`${target} (no such heading)`);
      }
    }
    expect(broken).toEqual([]);
  });

  it.each(pages)('%s: no reference to ../shared or to an absolute path of this machine', (page) => {
    const text = readFileSync(path.join(ROOT, page), 'utf8');
    expect(text).not.toMatch(/\.\.\/shared|\/work\/|\/home\/[a-z]|\/Users\/[A-Za-z]/);
    expect(text).not.toContain(ROOT);
  });
});

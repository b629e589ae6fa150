import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const file = path.join(dir, name);
    if (statSync(file).isDirectory()) return name === 'fixtures' ? [] : sources(file);
    return /\.(ts|mts|mjs|js|sh)$/.test(name) || name === 'run' ? [file] : [];
  });
}

describe('the repository is whole', () => {
  it('no source, test or script reaches outside the clone', () => {
    const files = ['src', 'test', '.ci'].flatMap((dir) => sources(path.join(root, dir)));
    expect(files.length).toBeGreaterThan(20);
    const outside = files.filter((file) => /\.\.\/(\.\.\/)*shared\//.test(readFileSync(file, 'utf8')));
    expect(outside).toEqual([]);
  });
});

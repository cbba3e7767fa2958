import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

// Two schemas registered under one component name do not fail: the document silently keeps one of them,
// and the typed client then describes the other route wrongly (it happened to Portfolio and Pipeline).
describe('OpenAPI component names', () => {
  it('are registered once each across the HTTP layer', () => {
    const files = (dir: string): string[] => readdirSync(dir, { withFileTypes: true })
      .flatMap((e) => (e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') ? [join(dir, e.name)] : []));
    const seen = new Map<string, string[]>();
    for (const f of files(new URL('.', import.meta.url).pathname)) {
      for (const m of readFileSync(f, 'utf8').matchAll(/\.openapi\(\s*'([A-Za-z0-9]+)'/g)) seen.set(m[1]!, [...(seen.get(m[1]!) ?? []), f]);
    }
    expect(seen.size).toBeGreaterThan(50);
    expect([...seen].filter(([, where]) => where.length > 1)).toEqual([]);
  });
});

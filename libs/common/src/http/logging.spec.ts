import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loggerOptions } from './logging';

const ROOT = join(__dirname, '../../../..');

/** Every non-test TypeScript source under `dir`. */
function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : sources(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts') ? [path] : [];
  });
}

describe('loggerOptions', () => {
  it('binds a per-request logger on every route of the API', () => {
    expect(loggerOptions('info', false).forRoutes).toHaveLength(1);
  });

  it('binds none in the worker (the binding is an AsyncLocalStorage)', () => {
    expect(loggerOptions('info', false, { requests: false }).forRoutes).toEqual([]);
  });
});

describe('the worker process', () => {
  // On Node 20 one enabled AsyncLocalStorage (or async hook) runs a hook on every promise the
  // process creates: it cost the worker 5–25% of its CPU per evaluated case. Job fields
  // travel with JobContext.log instead.
  it('loads no module of ours that uses async_hooks', () => {
    const offenders = ['libs', 'apps/worker']
      .flatMap((dir) => sources(join(ROOT, dir)))
      .filter((file) => /from ['"](node:)?async_hooks['"]/.test(readFileSync(file, 'utf8')));
    expect(offenders).toEqual([]);
  });
});

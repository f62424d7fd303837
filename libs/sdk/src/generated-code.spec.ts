import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';

/**
 * The committed client in src/generated is what the generator makes from the committed
 * openapi/openapi.json: regenerate into a temporary folder and compare file by file. When this
 * fails, run `npm run sdk:generate` and commit the result.
 */

const ROOT = join(__dirname, '../../..');
const COMMITTED = join(__dirname, 'generated');

function files(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const path = join(d, name);
      if (statSync(path).isDirectory()) walk(path);
      else out.set(relative(dir, path), readFileSync(path, 'utf8'));
    }
  };
  walk(dir);
  return out;
}

describe('generated SDK', () => {
  let scratch: string;
  beforeAll(() => {
    scratch = mkdtempSync(join(tmpdir(), 'ps-sdk-generate-'));
  });
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it('matches a fresh generation from openapi/openapi.json (else: npm run sdk:generate)', () => {
    const output = join(scratch, 'generated');
    execFileSync(
      process.execPath,
      [
        join(ROOT, 'node_modules/@hey-api/openapi-ts/bin/run.js'),
        '--silent',
        '--no-log-file',
        '-f',
        join(ROOT, 'libs/sdk/openapi-ts.config.mjs'),
      ],
      { cwd: ROOT, env: { ...process.env, SDK_GENERATE_OUTPUT: output }, stdio: 'pipe' },
    );
    const fresh = files(output);
    const committed = files(COMMITTED);
    expect([...committed.keys()].sort()).toEqual([...fresh.keys()].sort());
    const stale = [...fresh].filter(([name, text]) => committed.get(name) !== text).map(([n]) => n);
    expect(stale).toEqual([]);
    // The comparison has teeth: the generated code carries every operation of the document.
    const document = JSON.parse(readFileSync(join(ROOT, 'openapi/openapi.json'), 'utf8')) as {
      paths: Record<string, Record<string, { operationId: string }>>;
    };
    const sdk = committed.get('sdk.gen.ts') ?? '';
    for (const operations of Object.values(document.paths)) {
      for (const operation of Object.values(operations)) {
        expect(sdk).toContain(`export const ${operation.operationId} =`);
      }
    }
  });
});

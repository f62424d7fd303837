import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { apiEnvSchema } from './api-env.schema';
import { workerEnvSchema } from './worker-env.schema';

/** .env.example is the user's reference: it must list exactly the variables the apps read. */
describe('.env.example', () => {
  const text = readFileSync(join(__dirname, '../../../.env.example'), 'utf8');
  const documented = text
    .split('\n')
    .filter((line) => /^[A-Z][A-Z0-9_]*=/.test(line))
    .map((line) => line.slice(0, line.indexOf('=')));
  const read = new Set([...Object.keys(apiEnvSchema.shape), ...Object.keys(workerEnvSchema.shape)]);

  it('documents every variable the API and the worker read', () => {
    expect([...read].filter((name) => !documented.includes(name))).toEqual([]);
  });

  it('documents no variable that nothing reads, and none twice', () => {
    expect(documented.filter((name) => !read.has(name))).toEqual([]);
    expect(new Set(documented).size).toBe(documented.length);
  });

  it('shows defaults that parse to the schema defaults', () => {
    const values = Object.fromEntries(
      text
        .split('\n')
        .filter((line) => /^[A-Z][A-Z0-9_]*=/.test(line))
        .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
    );
    expect(apiEnvSchema.parse(values)).toEqual(apiEnvSchema.parse({}));
    expect(workerEnvSchema.parse(values)).toEqual(workerEnvSchema.parse({}));
  });
});

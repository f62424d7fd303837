import { z } from 'zod';
import { codeEvalEnvShape, codeEvalSettings } from './code-eval-env.schema';

const schema = z.object(codeEvalEnvShape);

describe('program evaluator variables', () => {
  it('default to off, 5 s, 256 MB, the documented modules and 2 at once', () => {
    expect(codeEvalSettings(schema.parse({}))).toEqual({
      enabled: false,
      limits: { timeoutMs: 5_000, memoryMb: 256 },
      importAllowList: [
        'math',
        'statistics',
        'json',
        're',
        'itertools',
        'functools',
        'collections',
      ],
      concurrency: 2,
    });
  });

  it('read the import allow-list as comma-separated module names', () => {
    const env = schema.parse({
      PROMPT_STUDIO_ENABLE_CODE_EVAL: 'yes',
      PROMPT_STUDIO_CODE_EVAL_IMPORT_WHITELIST: ' random, math ,random,,heapq ',
      PROMPT_STUDIO_CODE_EVAL_PYTHON: '/usr/bin/python3',
    });
    expect(codeEvalSettings(env)).toMatchObject({
      enabled: true,
      importAllowList: ['random', 'math', 'heapq'],
      pythonPath: '/usr/bin/python3',
    });
  });

  it.each([
    ['PROMPT_STUDIO_CODE_EVAL_IMPORT_WHITELIST', 'math, os.path', "'os.path' is not a top-level"],
    ['PROMPT_STUDIO_CODE_EVAL_TIMEOUT_MS', '50', ''],
    ['PROMPT_STUDIO_CODE_EVAL_CONCURRENCY', '0', ''],
    ['PROMPT_STUDIO_ENABLE_CODE_EVAL', 'maybe', 'must be true or false'],
  ])('refuse a bad %s, naming it', (name, value, message) => {
    const result = schema.safeParse({ [name]: value });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]).toMatchObject({
      path: [name],
      message: expect.stringContaining(message),
    });
  });
});

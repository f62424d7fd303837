import { ProgramEvaluator } from '@ps/code-eval';
import { type CodeEvalRuntime, codePortFor, projectCodeEvalSetting } from './code-eval.provider';

const runtime = (enabledByDefault: boolean): CodeEvalRuntime => ({
  evaluator: new ProgramEvaluator(),
  enabledByDefault,
});
const project = (config: Record<string, unknown> = {}, metadata: Record<string, unknown> = {}) => ({
  config,
  metadata,
});

describe('codePortFor: whether a project’s runs run programs', () => {
  it.each<
    [string, CodeEvalRuntime | undefined, ReturnType<typeof project> | null, boolean, string]
  >([
    [
      'the API (no program evaluator)',
      undefined,
      project({ enable_code_eval: true }),
      false,
      'only in a worker',
    ],
    [
      'the worker, off by default',
      runtime(false),
      project(),
      false,
      'PROMPT_STUDIO_ENABLE_CODE_EVAL=true',
    ],
    ['the worker, on by default', runtime(true), project(), true, ''],
    ['a project turning it on', runtime(false), project({ enable_code_eval: true }), true, ''],
    [
      'a project turning it off',
      runtime(true),
      project({ enable_code_eval: false }),
      false,
      'off for this project',
    ],
    [
      'metadata, as the original docs put it',
      runtime(false),
      project({}, { enable_code_eval: true }),
      true,
      '',
    ],
    [
      'config over metadata',
      runtime(false),
      project({ enable_code_eval: false }, { enable_code_eval: true }),
      false,
      'off for this project',
    ],
    [
      'a value that is not a boolean',
      runtime(false),
      project({ enable_code_eval: 'yes' }),
      false,
      'PROMPT_STUDIO_ENABLE_CODE_EVAL',
    ],
    ['a project that no longer exists', runtime(true), null, true, ''],
  ])('%s', (_name, rt, proj, enabled, reason) => {
    const port = codePortFor(rt, proj);
    expect(port.enabled).toBe(enabled);
    if (!port.enabled) expect(port.reason).toContain(reason);
  });

  it('reads the project setting from config, then metadata', () => {
    expect(projectCodeEvalSetting(project({}, {}))).toBeUndefined();
    expect(
      projectCodeEvalSetting(project({ enable_code_eval: 1 }, { enable_code_eval: false })),
    ).toBe(false);
  });
});

import { DEFAULT_IMPORT_ALLOW_LIST } from './code-eval-settings';
import { heuristicReward } from './heuristic-reward';
import { type ProgramSpec, programSpecOf } from './program-spec';

function specOf(expected: Record<string, unknown>): ProgramSpec {
  const result = programSpecOf({}, expected);
  if (result.kind !== 'program') throw new Error(JSON.stringify(result));
  return result.spec;
}

const fence = '```';
const addSpec = specOf({ runner: 'python', tests: [{ call: 'add(2, 3)', expect: 5 }] });

describe('heuristicReward (code evaluation off)', () => {
  it.each<[string, ProgramSpec, string, number]>([
    ['no code', addSpec, 'I cannot help with that.', -1],
    [
      'clean code defining what the tests call',
      addSpec,
      `${fence}python\ndef add(a, b):\n    return a + b\n${fence}`,
      10,
    ],
    [
      'code that does not define the called function',
      addSpec,
      `${fence}python\ndef plus(a, b):\n    return a + b\n${fence}`,
      1 + 9 * (2 / 3),
    ],
    [
      'a forbidden import and unbalanced brackets',
      addSpec,
      `${fence}python\nimport os\ndef add(a, b:\n    return a + b\n${fence}`,
      1 + 9 * (1 / 3),
    ],
    [
      'JavaScript defining the metric variable and a constraint name',
      specOf({
        runner: 'javascript',
        objective: 'maximize',
        metric_var: 'best',
        constraints: ['steps < 10'],
      }),
      `${fence}js\nlet steps = 3;\nconst best = steps * 2;\nconsole.log(best);\n${fence}`,
      10,
    ],
  ])('%s', (_name, spec, answer, reward) => {
    const result = heuristicReward(answer, spec, DEFAULT_IMPORT_ALLOW_LIST);
    expect(result.reward).toBeCloseTo(reward, 12);
    expect(result.score).toBeCloseTo(Math.max(0, reward / 10), 12);
  });

  it('says which checks passed', () => {
    expect(
      heuristicReward(
        `${fence}python\ndef plus(a, b):\n    return a + b\n${fence}`,
        addSpec,
        DEFAULT_IMPORT_ALLOW_LIST,
      ).checks,
    ).toEqual({
      code_found: true,
      static_checks: true,
      balanced: true,
      names_defined: { defined: [], missing: ['add'] },
    });
  });
});

import { definePerCase } from '../definition';
import { MetricRunsInWorkerError } from '../errors';
import { defineOptions } from '../options';

/**
 * `program`: the program evaluator's score (libs/code-eval), computed by the evaluation engine in
 * a worker; listed here so runs can weigh it and the catalogue describes it.
 */
export const programMetric = definePerCase(
  {
    name: 'program',
    description:
      "Runs the code in the answer of a test case marked runner: python or javascript in the worker's sandbox and maps the outcome to a reward in [-1, 10] (tests passed, constraints true, objective reached); score = reward / 10 clamped to [0, 1]. Added automatically to such cases; list it to set its weight. Cases without a runner are not scored. Needs code evaluation enabled (PROMPT_STUDIO_ENABLE_CODE_EVAL or the project's enable_code_eval), otherwise a heuristic text reward is used and the result says so.",
    range: [0, 1],
  },
  defineOptions({}),
  () => {
    throw new MetricRunsInWorkerError('program');
  },
);

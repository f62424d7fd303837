import type { ChatMessage } from '@ps/common';
import type { EngineCase } from '@ps/evaluation';
import { distinctInts, seededDraws } from './draws';
import { type Knowledge, scriptedProposer } from './proposer-model';
import type { CaseCounts } from './rule.world';
import {
  type AnswerDistribution,
  createWorld,
  type SamplingParams,
  type ScriptedWorld,
  WORLD_MODEL,
  type WorldOptions,
} from './world';

/**
 * `params`: sums of two numbers, where only the sampling parameters matter. The chance of a right
 * answer is the product of a temperature curve (0.9 inside [0.2, 0.6], falling on both sides) and
 * a max_tokens factor (the model reasons before it answers: below 64 tokens the answer is cut off
 * and wrong; above 512, or with no limit, it rambles on and half its answers carry a second,
 * wrong number). Instructions and demos change nothing.
 */

export const PARAMS_BAND = { temperature: [0.2, 0.6], maxTokens: [64, 512] } as const;
/** OpenAI's default temperature, used when the request sets none. */
const DEFAULT_TEMPERATURE = 1;

export function temperatureFactor(t: number): number {
  if (t < 0.2) return 0.6 + 1.5 * Math.max(0, t);
  if (t <= 0.6) return 0.9;
  if (t <= 1.6) return 0.9 - 0.7 * (t - 0.6);
  return 0.2;
}

export function maxTokensFactor(m: number | null): number {
  if (m === null || m > PARAMS_BAND.maxTokens[1]) return 0.5;
  return m < PARAMS_BAND.maxTokens[0] ? 0 : 1;
}

export function paramsRightChance(params: SamplingParams): number {
  return (
    temperatureFactor(params.temperature ?? DEFAULT_TEMPERATURE) * maxTokensFactor(params.maxTokens)
  );
}

function paramsTask(messages: ChatMessage[], params: SamplingParams): AnswerDistribution {
  const last = [...messages].reverse().find((m) => m.role === 'user')?.content ?? '';
  const m = /add (-?\d+) and (-?\d+)/i.exec(last);
  if (!m) return [{ text: 'I cannot find two numbers to add.', p: 1 }];
  const sum = Number(m[1]) + Number(m[2]);
  const p = paramsRightChance(params);
  return [
    { text: String(sum), p },
    { text: String(sum + 1), p: 1 - p },
  ];
}

/** Nothing to learn from evidence: the proposer only rewords. */
const noKnowledge: Knowledge = {
  read: () => [],
  strip: (text) => text,
  write: () => '',
  infer: () => new Map(),
  prior: null,
};

function paramsCases(counts: CaseCounts): { pool: EngineCase[]; sealed: EngineCase[] } {
  const poolSize = counts.poolSize ?? 80;
  const sealedSize = counts.sealedSize ?? 200;
  const next = seededDraws((counts.seed ?? 1) + 104729);
  const ids = distinctInts(next, poolSize + sealedSize, 1000, 10000);
  const cases = ids.map((n, i): EngineCase => {
    const a = 10 + Math.floor(next() * 90);
    const b = 10 + Math.floor(next() * 90);
    const id = `${i < poolSize ? 'pool' : 'sealed'}-${String(i).padStart(3, '0')}`;
    return { id, inputs: { id: n, a, b }, expected: { sum: String(a + b) } };
  });
  return { pool: cases.slice(0, poolSize), sealed: cases.slice(poolSize) };
}

export function createParamsWorld(
  counts: CaseCounts = {},
  options: WorldOptions = {},
): ScriptedWorld {
  const { pool, sealed } = paramsCases(counts);
  const seed = {
    systemPrompt: 'Add the two numbers. Answer with the sum only.',
    userPrompt: 'Sum {{id}}: add {{a}} and {{b}}.',
    fewShotExamples: [],
    model: { ...WORLD_MODEL, parameters: { temperature: 1, max_tokens: 1024 } },
  };
  return createWorld(
    {
      name: 'params',
      description: 'Right only with temperature and max_tokens inside a band.',
      seed,
      best: {
        ...seed,
        model: { ...WORLD_MODEL, parameters: { temperature: 0.4, max_tokens: 256 } },
      },
      pool,
      sealed,
      scoring: { metrics: [{ name: 'exact_match' }], pass_threshold: 0.5 },
      task: paramsTask,
      propose: scriptedProposer(noKnowledge),
      caseToken: (c) => `Sum ${String(c.inputs.id)}`,
    },
    options,
  );
}

import type { ChatMessage } from '@ps/common';
import type { EngineCase } from '@ps/evaluation';
import { distinctInts, hashUnit, seededDraws } from './draws';
import { type Knowledge, expectedValue, scriptedProposer } from './proposer-model';
import type { CaseCounts } from './rule.world';
import {
  type AnswerDistribution,
  createWorld,
  type ScriptedWorld,
  WORLD_MODEL,
  type WorldOptions,
} from './world';

/**
 * `null`: yes/no verdicts on claims the model cannot judge. Every answer is right with
 * probability NULL_RIGHT whatever the prompt, its demos or its parameters; which cases come out
 * right is a hash of the request, so every candidate measures a different noisy score around the
 * same expectation. Nothing helps: any "improvement" found here is noise.
 */

export const NULL_RIGHT = 0.5;

const NOUNS = 'valve pump meter cable gate lamp wheel door fan belt'.split(' ');
const ADJECTIVES = 'blue loose warm noisy bent new worn dusty tight dry'.split(' ');

function truthOf(claimId: string): string {
  return hashUnit('null-truth', claimId) < 0.5 ? 'yes' : 'no';
}

function nullTask(messages: ChatMessage[]): AnswerDistribution {
  const last = [...messages].reverse().find((m) => m.role === 'user')?.content ?? '';
  const claim = /Claim (\d{4})/.exec(last);
  if (!claim) return [{ text: 'I cannot find a claim.', p: 1 }];
  const truth = truthOf(claim[1]);
  return [
    { text: truth, p: NULL_RIGHT },
    { text: truth === 'yes' ? 'no' : 'yes', p: 1 - NULL_RIGHT },
  ];
}

const NOTE = /Claim (\d{4}) is answered "(yes|no)"\./g;

/** Notes about single claims: the proposer can copy them from evidence; they teach nothing. */
const nullKnowledge: Knowledge = {
  read: (text) => [...text.matchAll(NOTE)].map((m) => [m[1], m[2]]),
  strip: (text) => text.replace(NOTE, '').replace(/[ \t]+\n/g, '\n'),
  write: (id, verdict) => `Claim ${id} is answered "${verdict}".`,
  infer(records) {
    const notes = new Map<string, string>();
    for (const r of records) {
      const claim = /Claim (\d{4})/.exec(r.input);
      if (claim && r.expected !== null) notes.set(claim[1], expectedValue(r.expected));
    }
    return notes;
  },
  prior: null,
};

function nullCases(counts: CaseCounts): { pool: EngineCase[]; sealed: EngineCase[] } {
  const poolSize = counts.poolSize ?? 80;
  const sealedSize = counts.sealedSize ?? 200;
  const next = seededDraws((counts.seed ?? 1) + 15485863);
  const ids = distinctInts(next, poolSize + sealedSize, 1000, 10000);
  const cases = ids.map((n, i): EngineCase => {
    const noun = NOUNS[Math.floor(next() * NOUNS.length)];
    const adjective = ADJECTIVES[Math.floor(next() * ADJECTIVES.length)];
    const id = `${i < poolSize ? 'pool' : 'sealed'}-${String(i).padStart(3, '0')}`;
    return {
      id,
      inputs: { claim: `Claim ${n}: the ${noun} is ${adjective}.` },
      expected: { verdict: truthOf(String(n)) },
    };
  });
  return { pool: cases.slice(0, poolSize), sealed: cases.slice(poolSize) };
}

export function createNullWorld(
  counts: CaseCounts = {},
  options: WorldOptions = {},
): ScriptedWorld {
  const { pool, sealed } = nullCases(counts);
  const seed = {
    systemPrompt: 'Decide whether the claim is true. Answer yes or no.',
    userPrompt: '{{claim}}',
    fewShotExamples: [],
    model: WORLD_MODEL,
  };
  return createWorld(
    {
      name: 'null',
      description: 'Every answer right with a fixed probability: nothing helps.',
      seed,
      best: seed,
      pool,
      sealed,
      scoring: { metrics: [{ name: 'exact_match' }], pass_threshold: 0.5 },
      task: nullTask,
      propose: scriptedProposer(nullKnowledge),
      caseToken: (c) => /Claim \d{4}/.exec(String(c.inputs.claim))?.[0] ?? c.id,
    },
    options,
  );
}

import type { ChatMessage } from '@ps/common';
import type { EngineCase } from '@ps/evaluation';
import { distinctInts, seededDraws, weightedIndex } from './draws';
import { type Knowledge, expectedValue } from './proposer-model';
import { scriptedProposer } from './proposer-model';
import type { CaseCounts } from './rule.world';
import {
  type AnswerDistribution,
  createWorld,
  type ScriptedWorld,
  WORLD_MODEL,
  type WorldOptions,
} from './world';

/**
 * `demos`: catalogue codes of parts. A code is a family prefix and the part's serial
 * (`rotor, serial 417` → `RQ2-417`). The task model knows a family's prefix only from a few-shot
 * example of that family in the prompt (it copies the prefix the demo's answer shows, right or
 * wrong); instructions do not teach it. Without a demo it guesses the family name's first three
 * letters, which is right for one family only, so a seed prompt with no demos passes a few cases.
 */

export const DEMO_FAMILIES = [
  { family: 'valve', prefix: 'VK3', weight: 0.3 },
  { family: 'gasket', prefix: 'GZ8', weight: 0.2 },
  { family: 'rotor', prefix: 'RQ2', weight: 0.15 },
  { family: 'bracket', prefix: 'BX5', weight: 0.15 },
  { family: 'spindle', prefix: 'SJ7', weight: 0.1 },
  { family: 'flange', prefix: 'FLA', weight: 0.1 },
] as const;
export const DEMO_SLIP = 0.05;

const PART = new RegExp(`\\b(${DEMO_FAMILIES.map((f) => f.family).join('|')}), serial (\\d{3})\\b`);
const CODE = /\b([A-Z0-9]{3})-\d{3}\b/;

function naivePrefix(family: string): string {
  return family.slice(0, 3).toUpperCase();
}

function demosTask(messages: ChatMessage[]): AnswerDistribution {
  const lastUser = messages.map((m) => m.role).lastIndexOf('user');
  const part = PART.exec(messages[lastUser]?.content ?? '');
  if (!part) return [{ text: 'I cannot find a part.', p: 1 }];
  // Prefixes the demos teach: the first demo of a family wins.
  const learned = new Map<string, string>();
  for (let i = 0; i < lastUser; i++) {
    if (messages[i].role !== 'user' || messages[i + 1]?.role !== 'assistant') continue;
    const demoPart = PART.exec(messages[i].content);
    const code = CODE.exec(messages[i + 1].content);
    if (demoPart && code && !learned.has(demoPart[1])) learned.set(demoPart[1], code[1]);
  }
  const prefix = learned.get(part[1]) ?? naivePrefix(part[1]);
  const slip = `${prefix.slice(0, 2)}${prefix[2] === 'X' ? 'Y' : 'X'}`;
  return [
    { text: `${prefix}-${part[2]}`, p: 1 - DEMO_SLIP },
    { text: `${slip}-${part[2]}`, p: DEMO_SLIP },
  ];
}

const PREFIX_SENTENCE = /Codes of "([a-z]+)" parts start with ([A-Z0-9]{3})\./g;

/** The proposer can read prefixes off the evidence; the task model ignores such sentences. */
const demosKnowledge: Knowledge = {
  read: (text) => [...text.matchAll(PREFIX_SENTENCE)].map((m) => [m[1], m[2]]),
  strip: (text) => text.replace(PREFIX_SENTENCE, '').replace(/[ \t]+\n/g, '\n'),
  write: (family, prefix) => `Codes of "${family}" parts start with ${prefix}.`,
  infer(records) {
    const found = new Map<string, string>();
    for (const r of records) {
      const part = PART.exec(r.input);
      const code = r.expected === null ? null : CODE.exec(expectedValue(r.expected));
      if (part && code) found.set(part[1], code[1]);
    }
    return found;
  },
  prior: null,
};

function demosCases(counts: CaseCounts): { pool: EngineCase[]; sealed: EngineCase[] } {
  const poolSize = counts.poolSize ?? 80;
  const sealedSize = counts.sealedSize ?? 200;
  const next = seededDraws((counts.seed ?? 1) + 7919);
  const serials = distinctInts(next, poolSize + sealedSize, 100, 1000);
  const weights = DEMO_FAMILIES.map((f) => f.weight);
  const cases = serials.map((serial, i): EngineCase => {
    const f = DEMO_FAMILIES[weightedIndex(weights, next())];
    const batch = 1 + Math.floor(next() * 40);
    const id = `${i < poolSize ? 'pool' : 'sealed'}-${String(i).padStart(3, '0')}`;
    return {
      id,
      inputs: { part: `${f.family}, serial ${serial}, batch ${batch}` },
      expected: { code: `${f.prefix}-${serial}` },
    };
  });
  return { pool: cases.slice(0, poolSize), sealed: cases.slice(poolSize) };
}

export function createDemosWorld(
  counts: CaseCounts = {},
  options: WorldOptions = {},
): ScriptedWorld {
  const { pool, sealed } = demosCases(counts);
  const seed = {
    systemPrompt: 'Give the catalogue code of the part. Answer with the code only.',
    userPrompt: '{{part}}',
    fewShotExamples: [],
    model: WORLD_MODEL,
  };
  // Serials below 100 never occur in cases: the oracle's demos are none of them.
  const oracleDemos = DEMO_FAMILIES.map((f, i) => ({
    inputs: { part: `${f.family}, serial 0${10 + i}, batch 1` },
    outputs: `${f.prefix}-0${10 + i}`,
  }));
  return createWorld(
    {
      name: 'demos',
      description: 'Part codes whose family prefixes are learnable only from few-shot demos.',
      seed,
      best: { ...seed, fewShotExamples: oracleDemos },
      pool,
      sealed,
      scoring: { metrics: [{ name: 'exact_match' }], pass_threshold: 0.5 },
      task: demosTask,
      propose: scriptedProposer(demosKnowledge),
      caseToken: (c) => /serial \d{3}/.exec(String(c.inputs.part))?.[0] ?? c.id,
    },
    options,
  );
}

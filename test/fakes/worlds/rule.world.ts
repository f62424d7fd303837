import type { ChatMessage } from '@ps/common';
import type { EngineCase } from '@ps/evaluation';
import { distinctInts, seededDraws, weightedIndex } from './draws';
import { type Knowledge, expectedValue, scriptedProposer, wordsOf } from './proposer-model';
import type { EvidenceRecord } from './proposer-format';
import {
  type AnswerDistribution,
  createWorld,
  type ScriptedWorld,
  WORLD_MODEL,
  type WorldOptions,
} from './world';

/**
 * `rule`: support tickets routed to queues by a hidden label rule. A ticket that mentions one of
 * six topic words belongs to that topic's queue (opaque names, so no prior meaning gives them
 * away); any other ticket belongs to GEN. The task model routes a topic correctly only when the
 * prompt states that topic's rule; otherwise it answers GEN. Each stated rule adds its topic's
 * share of cases, so partial knowledge earns partial credit.
 *
 * The proposer learns a rule only from evidence: it needs at least two records with the same
 * expected queue whose inputs share exactly one word that no record of another queue has. It
 * never sees the mapping itself.
 */

export const RULE_TOPICS = [
  { keyword: 'billing', queue: 'HERON', weight: 0.22 },
  { keyword: 'password', queue: 'OTTER', weight: 0.18 },
  { keyword: 'crash', queue: 'LYNX', weight: 0.14 },
  { keyword: 'delivery', queue: 'ORCA', weight: 0.12 },
  { keyword: 'contract', queue: 'IBEX', weight: 0.08 },
  { keyword: 'payroll', queue: 'MOTH', weight: 0.06 },
] as const;
export const RULE_DEFAULT_QUEUE = 'GEN';
const GENERAL_WEIGHT = 0.2;
const QUEUES = [RULE_DEFAULT_QUEUE, ...RULE_TOPICS.map((t) => t.queue)];
/** The task model slips (answers in lower case) on this share of answers, whatever the prompt. */
export const RULE_SLIP = 0.05;

/** Words the tickets are made of besides their topic word. */
const FILLER = (
  'please help again today urgent still account issue since yesterday thanks team ' +
  'asap need check weekend morning quickly broken wrong missing order number office ' +
  'customer manager email phone update status question problem error strange sudden ' +
  'monday friday week month last first new old small big request reply support'
).split(' ');

const RULE_SENTENCE = /Tickets that mention "([a-z]+)" go to queue ([A-Z]+)\./g;

export const ruleKnowledge: Knowledge = {
  read: (text) => [...text.matchAll(RULE_SENTENCE)].map((m) => [m[1], m[2]]),
  strip: (text) => text.replace(RULE_SENTENCE, '').replace(/[ \t]+\n/g, '\n'),
  write: (keyword, queue) => `Tickets that mention "${keyword}" go to queue ${queue}.`,
  infer: inferRules,
  prior: { keys: RULE_TOPICS.map((t) => t.keyword), values: QUEUES },
};

/** Rules the records support: per expected queue, the one word all its inputs share. */
function inferRules(records: EvidenceRecord[]): Map<string, string> {
  const byQueue = new Map<string, Set<string>[]>();
  for (const r of records) {
    if (r.expected === null) continue;
    const queue = expectedValue(r.expected);
    const list = byQueue.get(queue) ?? [];
    list.push(wordsOf(r.input));
    byQueue.set(queue, list);
  }
  const rules = new Map<string, string>();
  for (const [queue, inputs] of byQueue) {
    if (inputs.length < 2) continue;
    const shared = new Set([...inputs[0]].filter((w) => inputs.every((s) => s.has(w))));
    for (const [other, otherInputs] of byQueue) {
      if (other === queue) continue;
      for (const s of otherInputs) for (const w of s) shared.delete(w);
    }
    if (shared.size === 1) rules.set([...shared][0], queue);
  }
  return rules;
}

function routeOf(ticket: string): string {
  const words = wordsOf(ticket);
  return RULE_TOPICS.find((t) => words.has(t.keyword))?.queue ?? RULE_DEFAULT_QUEUE;
}

function ruleTask(messages: ChatMessage[]): AnswerDistribution {
  const last = [...messages].reverse().find((m) => m.role === 'user')?.content ?? '';
  const ticket = /Ticket \d{4}: [^\n"]*/.exec(last)?.[0];
  if (!ticket) return [{ text: 'I cannot find a ticket to route.', p: 1 }];
  const system = messages.find((m) => m.role === 'system')?.content ?? '';
  // The last statement of a topic's rule is the one the model follows.
  const rules = new Map(ruleKnowledge.read(`${system}\n${last}`));
  const words = wordsOf(ticket);
  const topic = RULE_TOPICS.find((t) => words.has(t.keyword));
  const intended = topic ? (rules.get(topic.keyword) ?? RULE_DEFAULT_QUEUE) : RULE_DEFAULT_QUEUE;
  // A slip is a format slip (lower case), never right by chance, so the analytic score stays exact.
  return [
    { text: intended, p: 1 - RULE_SLIP },
    { text: intended.toLowerCase(), p: RULE_SLIP },
  ];
}

export interface CaseCounts {
  /** Cases the optimizer may use (default 80). */
  poolSize?: number;
  /** Cases it never sees (default 200). */
  sealedSize?: number;
  /** Seed of the case generator (default 1). */
  seed?: number;
}

function ruleCases(counts: CaseCounts): { pool: EngineCase[]; sealed: EngineCase[] } {
  const poolSize = counts.poolSize ?? 80;
  const sealedSize = counts.sealedSize ?? 200;
  const next = seededDraws(counts.seed ?? 1);
  const ids = distinctInts(next, poolSize + sealedSize, 1000, 10000);
  const weights = [GENERAL_WEIGHT, ...RULE_TOPICS.map((t) => t.weight)];
  const cases = ids.map((n, i): EngineCase => {
    const topic = weightedIndex(weights, next());
    const words = distinctInts(next, 4, 0, FILLER.length).map((j) => FILLER[j]);
    if (topic > 0) words.splice(Math.floor(next() * 5), 0, RULE_TOPICS[topic - 1].keyword);
    const ticket = `Ticket ${n}: ${words.join(' ')}`;
    const id = `${i < poolSize ? 'pool' : 'sealed'}-${String(i).padStart(3, '0')}`;
    return { id, inputs: { ticket }, expected: { queue: routeOf(ticket) } };
  });
  return { pool: cases.slice(0, poolSize), sealed: cases.slice(poolSize) };
}

export function createRuleWorld(
  counts: CaseCounts = {},
  options: WorldOptions = {},
): ScriptedWorld {
  const { pool, sealed } = ruleCases(counts);
  const instruction =
    `You route support tickets to queues. Queues: ${QUEUES.join(', ')}.\n` +
    'Answer with the queue name only.';
  const seed = {
    systemPrompt: instruction,
    userPrompt: '{{ticket}}',
    fewShotExamples: [],
    model: WORLD_MODEL,
  };
  const oracle = RULE_TOPICS.map((t) => ruleKnowledge.write(t.keyword, t.queue)).join('\n');
  return createWorld(
    {
      name: 'rule',
      description: 'Queue routing by a hidden keyword rule, learnable from failing examples.',
      seed,
      best: { ...seed, systemPrompt: `${instruction}\n${oracle}` },
      pool,
      sealed,
      scoring: { metrics: [{ name: 'exact_match' }], pass_threshold: 0.5 },
      task: ruleTask,
      propose: scriptedProposer(ruleKnowledge),
      caseToken: (c) => /Ticket \d{4}/.exec(String(c.inputs.ticket))?.[0] ?? c.id,
    },
    options,
  );
}

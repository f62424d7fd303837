import type { BodyExample } from '../http/api-body-examples.decorator';

/**
 * Named examples of the create bodies, shown in the OpenAPI document and Swagger UI. They are
 * real requests: on a fresh install (ids from 1) each is accepted once the ids name real rows,
 * which the OpenAPI fuzz test (test/e2e/openapi-fuzz.e2e-spec.ts) checks by sending them all.
 * Runs use the offline `mock` provider so they work without a vendor key; any provider of
 * GET /providers/list fits in its place.
 */

type Examples = Record<string, BodyExample>;

const MOCK_MODEL = { provider: 'mock', model: 'mock-echo' };

export const CREATE_PROJECT_EXAMPLES: Examples = {
  support: {
    summary: 'A project with tags and a test-case limit',
    value: {
      name: 'Customer Support Bot',
      description: 'Answers for the help desk',
      tags: ['support', 'production'],
      config: { max_test_cases: 500 },
    },
  },
};

export const CREATE_SIGNATURE_EXAMPLES: Examples = {
  support: {
    summary: 'Typed inputs and outputs of a support reply',
    value: {
      project_id: 1,
      name: 'SupportResponse',
      instruction: 'Answer the customer helpfully and briefly.',
      input_schema: [
        { name: 'customer_query', type: 'string', description: 'What the customer wrote' },
        { name: 'tier', type: 'string', required: false },
      ],
      output_schema: [{ name: 'response', type: 'string' }],
    },
  },
};

export const CREATE_PROMPT_EXAMPLES: Examples = {
  support: {
    summary: 'A prompt with a signature and a model',
    value: {
      project_id: 1,
      signature_id: 1,
      name: 'Support answer',
      system_prompt: 'You are a friendly customer support agent.',
      user_prompt: 'Customer query: {customer_query}\nPlease provide a helpful response.',
      model_config: { ...MOCK_MODEL, parameters: { temperature: 0.2, max_tokens: 256 } },
    },
  },
  few_shot: {
    summary: 'A prompt with few-shot examples, no signature',
    value: {
      project_id: 1,
      name: 'Sentiment',
      user_prompt: 'Classify the sentiment of: {{text}}',
      few_shot_examples: [
        { inputs: { text: 'I love it' }, outputs: 'positive' },
        { inputs: { text: 'Broken on arrival' }, outputs: 'negative' },
      ],
    },
  },
};

export const CREATE_TEST_CASE_EXAMPLES: Examples = {
  support: {
    summary: 'A golden case with an expected answer',
    value: {
      project_id: 1,
      name: 'Refund request',
      inputs: { customer_query: 'I want a refund for order 123' },
      expected_outputs: { response: 'We will process your refund within 5 days.' },
      tags: ['refund', 'billing'],
      is_golden: true,
    },
  },
  program_evaluator: {
    summary: 'A program-evaluator case: the answer is code, run against tests',
    description:
      'expected_outputs names a runner (python or javascript): the code in the model answer ' +
      'runs in the sandbox (PROMPT_STUDIO_ENABLE_CODE_EVAL) and is scored by its tests, ' +
      'constraints and objective; otherwise a heuristic reward, with the reason.',
    value: {
      project_id: 1,
      name: 'add two numbers',
      inputs: { task: 'Write a Python function add(a, b) that returns a + b.' },
      expected_outputs: {
        runner: 'python',
        tests: [
          { call: 'add(2, 3)', expect: 5 },
          { call: 'add(-1, 1)', expect: 0 },
          { call: 'add(0.1, 0.2)', expect: 0.3, tolerance: 1e-9 },
        ],
      },
      tags: ['code'],
    },
  },
};

export const BULK_CREATE_TEST_CASES_EXAMPLES: Examples = {
  support: {
    summary: 'Two cases, created together or not at all',
    value: {
      project_id: 1,
      test_cases: [
        {
          name: 'Shipping delay',
          inputs: { customer_query: 'Where is my package?' },
          expected_outputs: { response: 'Your package ships within 2 days.' },
          tags: ['shipping'],
        },
        {
          name: 'Password reset',
          inputs: { customer_query: 'How do I reset my password?' },
          is_golden: true,
        },
      ],
    },
  },
};

export const IMPORT_TEST_CASES_EXAMPLES: Examples = {
  csv: {
    summary: 'A small CSV inline',
    value: {
      project_id: 1,
      format: 'csv',
      content:
        'name,input.customer_query,expected.response,tags,is_golden\n' +
        'Opening hours,When are you open?,We are open 9 to 5.,general,yes\n',
      on_conflict: 'skip',
    },
  },
  jsonl_dry_run: {
    summary: 'JSON lines, as a dry run (nothing is written)',
    value: {
      project_id: 1,
      filename: 'cases.jsonl',
      content: '{"name": "Cancel", "inputs": {"customer_query": "Cancel my plan"}}\n',
      dry_run: true,
    },
  },
};

export const GENERATE_TEST_CASES_EXAMPLES: Examples = {
  deterministic: {
    summary: 'Typed cases from a signature, no model calls',
    value: {
      project_id: 1,
      signature_id: 1,
      num_cases: 10,
      strategy: 'edge_cases',
      generator: 'deterministic',
      seed: 7,
    },
  },
};

export const CREATE_API_KEY_EXAMPLES: Examples = {
  ci: {
    summary: 'A key for a CI pipeline, read and write, for 90 days',
    value: { name: 'CI pipeline', scopes: ['read', 'write'], expires_in_days: 90 },
  },
};

export const ADD_MEMBER_EXAMPLES: Examples = {
  editor: {
    summary: 'Add an editor',
    value: { email: 'ada@example.com', display_name: 'Ada Lovelace', role: 'editor' },
  },
};

export const CREATE_PING_JOB_EXAMPLES: Examples = {
  ping: {
    summary: 'A two-second job with four progress steps',
    value: { message: 'hello', duration_ms: 2000, steps: 4 },
  },
};

export const CREATE_EVALUATION_EXAMPLES: Examples = {
  baseline: {
    summary: 'Every test case, two weighted metrics',
    value: {
      prompt_id: 1,
      name: 'baseline',
      model_config: MOCK_MODEL,
      metrics: [{ name: 'exact_match' }, { name: 'token_overlap', weight: 2 }],
      pass_threshold: 0.6,
      concurrency: 4,
    },
  },
  regression: {
    summary: 'Golden cases only, three runs per case',
    value: {
      prompt_id: 1,
      version: 1,
      golden_only: true,
      repeats: 3,
      metrics: [{ name: 'contains' }],
    },
  },
};

export const CREATE_OPTIMIZATION_EXAMPLES: Examples = {
  mipro: {
    summary: 'MIPRO: instructions and demo sets searched with TPE',
    value: {
      prompt_id: 1,
      strategy: 'mipro',
      strategy_params: { num_instructions: 4, num_demo_sets: 3, num_trials: 12 },
      model_config: MOCK_MODEL,
      metrics: [{ name: 'token_overlap' }],
      budget: { max_llm_calls: 200 },
      seed: 7,
    },
  },
  mcts: {
    summary: 'MCTS: a tree search over rewrites (needs PROMPT_STUDIO_ENABLE_MCTS=true)',
    description:
      'UCT over sequences of rewrites, sibling deduplication by score bin, quality pruning, an ' +
      'early stop and a token budget; the run details carry the tree metrics and the trace.',
    value: {
      prompt_id: 1,
      strategy: 'mcts',
      strategy_params: {
        mcts_simulations: 30,
        mcts_max_depth: 3,
        mcts_exploration_c: 1.4,
        prompt_candidates_per_node: 2,
        score_dedup_bin: 0.1,
        early_stop_no_improve: 5,
        token_budget: 200000,
      },
      model_config: MOCK_MODEL,
      metrics: [{ name: 'exact_match' }],
      budget: { max_llm_calls: 300, max_duration_s: 600 },
      seed: 1,
    },
  },
  hyperparameter: {
    summary: 'Hyperparameters: temperature and max_tokens by Bayesian search',
    value: {
      prompt_id: 1,
      strategy: 'hyperparameter',
      model_config: MOCK_MODEL,
      budget: { max_llm_calls: 100 },
      holdout: 0.3,
    },
  },
};

export const UPDATE_PROMPT_EXAMPLES: Examples = {
  new_version: {
    summary: 'New content: a new version, the previous one its parent',
    value: {
      user_prompt: 'Customer query: {customer_query}\nAnswer in two sentences.',
      change_description: 'Shorter answers',
    },
  },
};

export const EXECUTE_PROMPT_EXAMPLES: Examples = {
  once: {
    summary: 'Render the current version and run it once',
    value: { inputs: { customer_query: 'Where is my parcel?' }, model_config: MOCK_MODEL },
  },
};

export const COMPARE_EVALUATIONS_EXAMPLES: Examples = {
  runs: {
    summary: 'Two finished evaluations, A then B',
    value: { evaluation_ids: [1, 2] },
  },
};

export const COMPUTE_METRIC_EXAMPLES: Examples = {
  token_overlap: {
    summary: 'One metric on two pairs',
    value: {
      metric: 'token_overlap',
      pairs: [
        { output: 'Your refund is on its way.', expected: 'We will process your refund.' },
        { output: 'Open 9 to 5', expected: 'We are open 9 to 5.' },
      ],
    },
  },
};

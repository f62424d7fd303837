import type { ParameterFieldError } from './params';
import { GeneticStrategy } from './strategies/genetic.strategy';
import { HyperparameterStrategy } from './strategies/hyperparameter.strategy';
import { MctsStrategy } from './strategies/mcts.strategy';
import { RandomRewriteStrategy } from './strategies/random-rewrite.strategy';
import { BootstrapStrategy } from './strategies/bootstrap.strategy';
import { IterativeStrategy } from './strategies/iterative.strategy';
import { MiproStrategy } from './strategies/mipro.strategy';
import type { OptimizationStrategy, ParameterSpec } from './types';

/** A strategy as `GET /optimizations/strategies` lists it. */
export interface StrategyDescription {
  name: string;
  description: string;
  parameters: ParameterSpec[];
  default_max_llm_calls: number;
  /** False when the deployment has the strategy switched off; `unavailable_reason` says how to enable it. */
  available: boolean;
  unavailable_reason?: string;
}

// Strategies keep their incumbent between calls, so the registry hands out a fresh one per run.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type StrategyFactory = () => OptimizationStrategy<any>;

/** Why a strategy is switched off in this deployment, or null when it may run. */
export type StrategyGate = () => string | null;

export interface StrategyRegistration {
  gate?: StrategyGate;
  /** Left out of list() (controls for benchmarks) but still created by name. */
  hidden?: boolean;
}

/** The strategy named in a request is not known, or is switched off (400 on `strategy`). */
export class StrategyNotAvailableError extends Error {
  readonly errors: ParameterFieldError[];
  constructor(message: string) {
    super(message);
    this.name = 'StrategyNotAvailableError';
    this.errors = [{ field: 'strategy', message }];
  }
}

/** Strategy name → factory. */
export class StrategyRegistry {
  private readonly entries = new Map<
    string,
    {
      factory: StrategyFactory;
      options: StrategyRegistration;
      sample: OptimizationStrategy<unknown>;
    }
  >();

  register(factory: StrategyFactory, options: StrategyRegistration = {}): this {
    const sample = factory() as OptimizationStrategy<unknown>;
    if (this.entries.has(sample.name)) {
      throw new Error(`Strategy ${sample.name} is registered twice.`);
    }
    this.entries.set(sample.name, { factory, options, sample });
    return this;
  }

  has(name: string): boolean {
    return this.entries.has(name);
  }

  /** A fresh strategy, or StrategyNotAvailableError (unknown name, or switched off). */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  create(name: string): OptimizationStrategy<any> {
    const entry = this.entries.get(name);
    if (!entry) {
      const known = this.list().map((s) => s.name);
      throw new StrategyNotAvailableError(
        `Unknown strategy ${name}. Known strategies: ${known.join(', ')}.`,
      );
    }
    const reason = entry.options.gate?.() ?? null;
    if (reason) throw new StrategyNotAvailableError(reason);
    return entry.factory();
  }

  /** The listed strategies with their parameters, in registration order. */
  list(): StrategyDescription[] {
    return [...this.entries.values()]
      .filter((e) => !e.options.hidden)
      .map(({ sample, options }) => {
        const reason = options.gate?.() ?? null;
        return {
          name: sample.name,
          description: sample.description,
          parameters: sample.parameters,
          default_max_llm_calls: sample.defaultMaxLlmCalls,
          available: reason === null,
          ...(reason ? { unavailable_reason: reason } : {}),
        };
      });
  }
}

const TRUE = new Set(['1', 'true', 'yes', 'on']);
const FALSE = new Set(['0', 'false', 'no', 'off']);

/**
 * MCTS runs when PROMPT_STUDIO_ENABLE_MCTS is true, or in development (APP_ENV=dev) unless the
 * canary PROMPT_STUDIO_ENABLE_MCTS_CANARY is switched off (it defaults to on).
 */
export function mctsGate(env: Readonly<Record<string, string | undefined>>): StrategyGate {
  return () => {
    const flag = env.PROMPT_STUDIO_ENABLE_MCTS?.trim().toLowerCase();
    if (flag && TRUE.has(flag)) return null;
    const canary = env.PROMPT_STUDIO_ENABLE_MCTS_CANARY?.trim().toLowerCase();
    if (env.APP_ENV === 'dev' && !(canary && FALSE.has(canary))) return null;
    return (
      'The mcts strategy is disabled. Enable it with PROMPT_STUDIO_ENABLE_MCTS=true, or run ' +
      'with APP_ENV=dev (where PROMPT_STUDIO_ENABLE_MCTS_CANARY, default true, turns it on).'
    );
  };
}

export interface RegistryOptions {
  /** Environment read by the strategy gates (MCTS). Default process.env. */
  env?: Readonly<Record<string, string | undefined>>;
}

/** Every built-in strategy, plus the random-rewrite control (hidden from the list). */
export function createStrategyRegistry(options: RegistryOptions = {}): StrategyRegistry {
  const env = options.env ?? process.env;
  void env;
  const registry = new StrategyRegistry();
  // Built-in strategies, in the order the API lists them. Slots: iterative, bootstrap, mipro,
  // genetic, mcts (gate: mctsGate(env)), random_rewrite (hidden) register here as they land.
  registry.register(() => new IterativeStrategy());
  registry.register(() => new BootstrapStrategy());
  registry.register(() => new MiproStrategy());
  registry.register(() => new HyperparameterStrategy());
  registry.register(() => new GeneticStrategy());
  registry.register(() => new MctsStrategy(), { gate: mctsGate(env) });
  registry.register(() => new RandomRewriteStrategy(), { hidden: true });
  return registry;
}

import { type CodeEvalConfig, codeEvalSettings } from './code-eval-env.schema';
import { type LlmSettings, llmSettings } from './llm-env.schema';
import { loadEnv } from './load-env';
import {
  databaseSettings,
  type DatabaseSettings,
  queueSettings,
  type QueueSettings,
} from './shared-env.schema';
import { workerEnvSchema, type WorkerEnv } from './worker-env.schema';

/** Typed, validated configuration of the worker process. */
export class WorkerConfig {
  readonly database: DatabaseSettings;
  readonly queue: QueueSettings;
  readonly llm: LlmSettings;
  readonly codeEval: CodeEvalConfig;

  constructor(readonly env: Readonly<WorkerEnv>) {
    this.database = databaseSettings(env);
    this.queue = queueSettings(env);
    this.llm = llmSettings(env);
    this.codeEval = codeEvalSettings(env);
  }

  static fromEnv(env: NodeJS.ProcessEnv = process.env): WorkerConfig {
    return new WorkerConfig(loadEnv('worker', workerEnvSchema, env));
  }
}

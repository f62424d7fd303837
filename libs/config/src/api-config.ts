import { apiEnvSchema, type ApiEnv } from './api-env.schema';
import { type LlmSettings, llmSettings } from './llm-env.schema';
import { loadEnv } from './load-env';
import {
  databaseSettings,
  type DatabaseSettings,
  queueSettings,
  type QueueSettings,
} from './shared-env.schema';

/** Typed, validated configuration of the API process. The only way API code reads settings. */
export class ApiConfig {
  readonly database: DatabaseSettings;
  readonly queue: QueueSettings;
  readonly llm: LlmSettings;

  constructor(readonly env: Readonly<ApiEnv>) {
    this.database = databaseSettings(env);
    this.queue = queueSettings(env);
    this.llm = llmSettings(env);
  }

  static fromEnv(env: NodeJS.ProcessEnv = process.env): ApiConfig {
    return new ApiConfig(loadEnv('api', apiEnvSchema, env));
  }
}

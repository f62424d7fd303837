export * from './api-config';
export * from './api-env.schema';
export * from './code-eval-env.schema';
export * from './llm-env.schema';
export * from './load-env';
export * from './shared-env.schema';
export * from './worker-config';
export * from './worker-env.schema';

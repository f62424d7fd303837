export * from './code-eval.provider';
export * from './evaluation.processor';
export * from './ping.processor';
export * from './processors';
export * from './report.processor';
export * from './optimization-planner';
export * from './optimization.processor';
export * from './generation.processor';

export * from './ports';
export * from './scoring-plan';
export * from './case-scoring';
export * from './case-runner';
export * from './summary-accumulator';
export * from './evaluation-runner';
export * from './llm-ports';
export * from './evaluation-settings';

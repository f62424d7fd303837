export * from './case-scoring';
export * from './evaluation-settings';
export * from './evaluation.processor';
export * from './report';
export * from './processors';
export * from './report-builder';
export * from './report.processor';

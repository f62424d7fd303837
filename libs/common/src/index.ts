export * from './errors/domain.error';
export * from './errors/error-codes';
export * from './pagination/page';
export * from './template/prompt-template';
export * from './template/render-prompt';

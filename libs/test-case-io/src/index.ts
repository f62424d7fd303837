export * from './types';
export { type ByteSource } from './text-source';
export { parseCases } from './parse-cases';
export { detectFormat, type FormatHints } from './detect-format';
export { PROMPTFOO_SIMILAR_THRESHOLD } from './promptfoo-assertions';
export {
  csvColumns,
  csvHeaderLine,
  csvRowLine,
  jsonExportHead,
  jsonExportItem,
  jsonExportTail,
  jsonlLine,
  type JsonExportMeta,
} from './case-writers';
export { templateFor, type CaseTemplate, type TemplateSignature } from './case-template';
export * from './generation';

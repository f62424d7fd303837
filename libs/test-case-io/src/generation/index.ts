export * from './generation-types';
export {
  fieldsFromExamples,
  fieldsFromTemplate,
  type InputFieldSource,
  inputFieldsFor,
  templatePaths,
} from './input-fields';
export { CaseDeduper, normalisedKey } from './case-dedupe';
export { generateTypedCases } from './typed-generator';
export { generateWithModel, type ModelGenerationOptions } from './llm-generator';
export {
  GENERATED_TAG,
  type GeneratedRecord,
  generationTag,
  toGeneratedRecords,
  uniqueName,
  UNREVIEWED_TAG,
} from './generated-records';

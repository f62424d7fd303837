/**
 * Test cases as files hold them: the formats a project imports from and exports to. Plain
 * TypeScript (no Nest, no database), shared by the API, the generation job and the CLI.
 */

/** Formats an import reads. */
export const IMPORT_FORMATS = ['csv', 'json', 'jsonl', 'promptfoo_yaml', 'promptfoo_csv'] as const;
export type ImportFormat = (typeof IMPORT_FORMATS)[number];

/** Formats an export writes (each re-imports to identical cases). */
export const EXPORT_FORMATS = ['csv', 'json', 'jsonl'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** Version written in (and accepted from) the JSON export's `version` field. */
export const EXPORT_VERSION = 1;

/** Field limits, the same the API enforces on a created test case. */
export const CASE_LIMITS = {
  nameMaxLength: 200,
  descriptionMaxLength: 10_000,
  maxTags: 50,
  tagMaxLength: 50,
} as const;

/** One test case as a file holds it: no id, no project, no dates. */
export interface CaseRecord {
  /** Absent when the row names none (the importer generates one, or rejects the row). */
  name?: string;
  description: string | null;
  inputs: Record<string, unknown>;
  expected_outputs: Record<string, unknown>;
  tags: string[];
  is_golden: boolean;
  is_generated: boolean;
}

/** A metric the file's assertions suggest scoring with (promptfoo imports). */
export interface SuggestedMetric {
  metric: string;
  options?: Record<string, unknown>;
  /** The assertion's own threshold, when it had one. */
  pass_threshold?: number;
}

export interface RowError {
  /** The column or field at fault (`input.question`, `is_golden`, `assert[2]`), when one is. */
  field?: string;
  message: string;
}

/** One row (CSV, JSONL, YAML) or array item (JSON) of an imported file. */
export interface ParsedRow {
  /** 1-based position among the file's rows or items. */
  row: number;
  /** 1-based line of the file where the row starts. */
  line: number;
  /** The case, when the row is valid; absent when `errors` is not empty. */
  record?: CaseRecord;
  errors: RowError[];
  /** What was read but could not be mapped (kept out of the case, reported, never dropped silently). */
  warnings: string[];
  suggested_metrics: SuggestedMetric[];
}

/** The file as a whole cannot be read (no header, not JSON, not a YAML test list...). */
export class ImportFileError extends Error {
  constructor(
    message: string,
    /** 1-based line where reading failed, when known. */
    readonly line?: number,
  ) {
    super(message);
    this.name = 'ImportFileError';
  }
}

/** A row or item larger than the reader's limit (protects memory on hostile files). */
export const DEFAULT_MAX_ROW_BYTES = 1_000_000;

/** Largest promptfoo YAML file: YAML is parsed whole (line numbers need the document). */
export const DEFAULT_MAX_YAML_BYTES = 10_000_000;

export interface ParseOptions {
  /** Largest single row or item, in bytes; a larger one fails the file (ImportFileError). */
  maxRowBytes?: number;
  /** Largest promptfoo YAML file, in bytes (default DEFAULT_MAX_YAML_BYTES); larger fails the file. */
  maxYamlBytes?: number;
}

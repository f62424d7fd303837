import type { ImportFormat, ParsedRow, RowError, SuggestedMetric } from '@ps/test-case-io';
import type {
  ImportRenameDto,
  ImportReportDto,
  ImportRowIssueDto,
  SuggestedMetricDto,
} from './dto/import-report.dto';
import type { OnConflict } from './dto/import-test-cases.dto';

/** Entries kept per list of the report; the counts stay exact past it. */
export const REPORT_LIST_LIMIT = 1_000;

type Where = Pick<ParsedRow, 'row' | 'line'>;

/**
 * Collects an import's outcome row by row in bounded memory: exact counts, the first
 * REPORT_LIST_LIMIT entries of each list, and suggested metrics merged by metric and options.
 */
export class ImportReportBuilder {
  private rows = 0;
  private readonly ids: number[] = [];
  private wouldImport = 0;
  private skipped = 0;
  private renamed = 0;
  private rejected = 0;
  private truncated = false;
  private readonly errors: ImportRowIssueDto[] = [];
  private readonly skippedRows: ImportRowIssueDto[] = [];
  private readonly renames: ImportRenameDto[] = [];
  private readonly warnings: ImportRowIssueDto[] = [];
  private readonly metrics = new Map<string, SuggestedMetricDto>();

  constructor(
    private readonly format: ImportFormat,
    private readonly options: { dryRun: boolean; atomic: boolean; onConflict: OnConflict },
  ) {}

  get rowCount(): number {
    return this.rows;
  }

  get rejectedCount(): number {
    return this.rejected;
  }

  private keep<T>(list: T[], entry: T): void {
    if (list.length < REPORT_LIST_LIMIT) list.push(entry);
    else this.truncated = true;
  }

  /** A row was read: its warnings and suggested metrics are recorded whatever becomes of it. */
  read(row: ParsedRow): void {
    this.rows += 1;
    for (const message of row.warnings) {
      this.keep(this.warnings, { row: row.row, line: row.line, message });
    }
    for (const suggestion of row.suggested_metrics) this.suggest(suggestion);
  }

  private suggest(s: SuggestedMetric): void {
    const key = JSON.stringify([s.metric, s.options ?? null, s.pass_threshold ?? null]);
    const known = this.metrics.get(key);
    if (known) known.rows += 1;
    else if (this.metrics.size < REPORT_LIST_LIMIT) {
      this.metrics.set(key, {
        metric: s.metric,
        ...(s.options ? { options: s.options } : {}),
        ...(s.pass_threshold !== undefined ? { pass_threshold: s.pass_threshold } : {}),
        rows: 1,
      });
    } else this.truncated = true;
  }

  reject(where: Where, errors: RowError[]): void {
    this.rejected += 1;
    for (const e of errors) {
      this.keep(this.errors, {
        row: where.row,
        line: where.line,
        ...(e.field ? { field: e.field } : {}),
        message: e.message,
      });
    }
  }

  skip(where: Where, message: string): void {
    this.skipped += 1;
    this.keep(this.skippedRows, { row: where.row, line: where.line, field: 'name', message });
  }

  rename(where: Where, from: string, to: string): void {
    this.renamed += 1;
    this.keep(this.renames, { row: where.row, line: where.line, from, to });
  }

  imported(ids: number[]): void {
    for (const id of ids) this.ids.push(id);
  }

  /** With dry_run: `count` more rows would have been imported. */
  wouldHaveImported(count: number): void {
    this.wouldImport += count;
  }

  build(): ImportReportDto {
    return {
      format: this.format,
      dry_run: this.options.dryRun,
      atomic: this.options.atomic,
      on_conflict: this.options.onConflict,
      rows: this.rows,
      imported: this.options.dryRun ? this.wouldImport : this.ids.length,
      imported_ids: this.ids,
      skipped: this.skipped,
      renamed: this.renamed,
      rejected: this.rejected,
      errors: this.errors,
      skipped_rows: this.skippedRows,
      renames: this.renames,
      warnings: this.warnings,
      truncated: this.truncated,
      suggested_metrics: [...this.metrics.values()],
    };
  }
}

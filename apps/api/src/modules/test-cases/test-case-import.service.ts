import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { Injectable } from '@nestjs/common';
import { DomainError, type FieldError, validateFields, ValidationFailedError } from '@ps/common';
import { ApiConfig } from '@ps/config';
import {
  type NewTestCase,
  type SignatureEntity,
  type TestCaseImportSession,
  TestCasesRepository,
} from '@ps/database';
import {
  type CaseRecord,
  detectFormat,
  IMPORT_FORMATS,
  type ImportFormat,
  ImportFileError,
  parseCases,
  type ParsedRow,
} from '@ps/test-case-io';
import type { Actor } from '../../http/actor';
import { type UploadStream, UploadInterruptedError } from '../../http/upload-stream';
import { ProjectsService } from '../projects/projects.service';
import { SignaturesService } from '../signatures/signatures.service';
import type { ImportReportDto } from './dto/import-report.dto';
import type { ImportTestCasesDto, OnConflict } from './dto/import-test-cases.dto';
import { ImportReportBuilder } from './import-report';
import { TestCasesService } from './test-cases.service';

/** Valid rows written per round trip (name check + insert). */
const BATCH_ROWS = 500;
/** Attempts at a free `<name>-<n>` before a rename gives up. */
const MAX_RENAME_TRIES = 50;

interface Pending {
  where: Pick<ParsedRow, 'row' | 'line'>;
  record: CaseRecord;
  name: string;
  /** The name in the file, when on_conflict=rename gave the row another. */
  renamedFrom?: string;
}

/** The file's bytes and what is known about it before reading. */
interface Source {
  chunks: AsyncIterable<Buffer | string>;
  filename?: string;
  contentType?: string;
}

/** A deterministic name from the case's content: importing the same file twice finds the same names. */
function contentName(record: CaseRecord): string {
  const hash = createHash('sha256')
    .update(JSON.stringify([record.inputs, record.expected_outputs]))
    .digest('hex');
  return `case-${hash.slice(0, 12)}`;
}

/** Reads the first chunk (to tell the format) and gives the whole stream back. */
async function peek(
  chunks: AsyncIterable<Buffer | string>,
): Promise<{ head: string; chunks: AsyncIterable<Buffer | string> }> {
  const iterator = chunks[Symbol.asyncIterator]();
  const first = await iterator.next();
  const head = first.done ? '' : String(first.value).slice(0, 4096);
  async function* replay() {
    if (!first.done) yield first.value;
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) {
      yield next.value;
    }
  }
  return { head, chunks: replay() };
}

/**
 * `POST /test-cases/import`: reads a CSV, JSON, JSONL or promptfoo file as a stream, row by row,
 * and writes valid rows in batches inside one transaction. A bad row is reported with its line
 * and never stops the others (unless `atomic`); a file that cannot be read past some line, or an
 * upload over the limit, leaves the project unchanged.
 */
@Injectable()
export class TestCaseImportService {
  constructor(
    private readonly testCases: TestCasesRepository,
    private readonly testCaseService: TestCasesService,
    private readonly projects: ProjectsService,
    private readonly signatures: SignaturesService,
    private readonly config: ApiConfig,
  ) {}

  private sourceOf(dto: ImportTestCasesDto, upload: UploadStream | undefined): Source {
    const given = [
      upload ? 'file' : null,
      dto.content !== undefined ? 'content' : null,
      dto.content_base64 !== undefined ? 'content_base64' : null,
    ].filter((x): x is string => x !== null);
    if (given.length !== 1) {
      const message =
        given.length === 0
          ? 'Send the file: as `content` or `content_base64` in a JSON body, as a multipart file part, or as the raw body.'
          : `Send the file once (got ${given.join(' and ')}).`;
      throw new ValidationFailedError([{ field: given[1] ?? 'content', message }]);
    }
    if (upload) {
      return {
        chunks: upload.stream,
        filename: upload.filename,
        contentType: upload.contentType,
      };
    }
    const text =
      dto.content !== undefined
        ? dto.content
        : Buffer.from(dto.content_base64 ?? '', 'base64').toString('utf8');
    if (dto.content_base64 !== undefined && !/^[A-Za-z0-9+/=\s_-]*$/.test(dto.content_base64)) {
      throw new ValidationFailedError([
        { field: 'content_base64', message: 'content_base64 is not base64.' },
      ]);
    }
    return { chunks: Readable.from([text]), filename: dto.filename };
  }

  private async signatureOf(
    actor: Actor,
    projectId: number,
    signatureId: number | undefined,
  ): Promise<SignatureEntity | undefined> {
    if (!signatureId) return undefined;
    const signature = await this.signatures.requireSignature(actor, signatureId, 'signature_id');
    if (signature.projectId !== projectId) {
      throw new ValidationFailedError([
        { field: 'signature_id', message: `Signature ${signatureId} belongs to another project.` },
      ]);
    }
    return signature;
  }

  async import(
    actor: Actor,
    dto: ImportTestCasesDto,
    upload: UploadStream | undefined,
  ): Promise<ImportReportDto> {
    const project = await this.projects.requireProject(actor, dto.project_id, 'project_id');
    const signature = await this.signatureOf(actor, project.id, dto.signature_id);
    const source = this.sourceOf(dto, upload);
    // Reading the head can already meet the end of a cut upload.
    const { head, chunks } = await peek(source.chunks).catch((err: unknown) => {
      throw this.fileError(err);
    });
    const format: ImportFormat | null =
      dto.format ??
      detectFormat({ filename: source.filename, contentType: source.contentType, head });
    if (!format) {
      throw new ValidationFailedError([
        {
          field: 'format',
          message: `The format cannot be told from the file; set format to one of ${IMPORT_FORMATS.join(', ')}.`,
        },
      ]);
    }
    const options = {
      dryRun: dto.dry_run ?? false,
      atomic: dto.atomic ?? false,
      onConflict: dto.on_conflict ?? 'fail',
      autoNames: dto.auto_generate_names ?? true,
    };
    const report = new ImportReportBuilder(format, options);
    try {
      await this.testCases.importInto(
        project.id,
        this.testCaseService.limitOf(project),
        async (session) => {
          const batcher = new ImportBatcher(session, report, options, signature?.id ?? null);
          for await (const row of parseCases(chunks, format)) {
            report.read(row);
            if (row.errors.length || !row.record) {
              report.reject(row, row.errors);
              continue;
            }
            const errors: FieldError[] = signature
              ? validateFields(signature.inputSchema, row.record.inputs, 'inputs').errors
              : [];
            const name = row.record.name ?? (options.autoNames ? contentName(row.record) : null);
            if (name === null) {
              errors.push({
                field: 'name',
                message: 'name is required (or import with auto_generate_names=true).',
              });
            }
            if (errors.length || name === null) {
              report.reject(row, errors);
              continue;
            }
            await batcher.add({ where: row, record: row.record, name });
          }
          await batcher.flush();
          if (report.rowCount === 0) {
            throw new ValidationFailedError([
              { field: 'content', message: `The ${format} file holds no test cases.` },
            ]);
          }
          const late = upload?.lateFields() ?? [];
          if (late.length) {
            throw new ValidationFailedError(
              late.map((field) => ({
                field,
                message: 'Form fields after the file are not read: send them before the file part.',
              })),
            );
          }
          if (options.atomic && report.rejectedCount > 0) {
            throw new DomainError(
              'validation_failed',
              `${report.rejectedCount} rows were rejected; with atomic=true nothing was imported.`,
              [{ field: 'content', message: 'See report.errors for each rejected row.' }],
              { report: { ...report.build(), imported: 0, imported_ids: [] } },
            );
          }
        },
      );
    } catch (err) {
      throw this.fileError(err);
    }
    return report.build();
  }

  /** Errors that end the import: all roll it back; reading errors become 400s naming the line. */
  private fileError(err: unknown): unknown {
    if (err instanceof DomainError) return err;
    if (err instanceof ImportFileError) {
      const where = err.line ? `line ${err.line}: ` : '';
      return new ValidationFailedError(
        [{ field: 'content', message: `${where}${err.message}` }],
        'The file cannot be read; nothing was imported.',
      );
    }
    if (err instanceof UploadInterruptedError) {
      return new ValidationFailedError(
        [{ field: 'file', message: `The upload ended early: ${err.message}` }],
        'The upload ended early; nothing was imported.',
      );
    }
    return err;
  }
}

/**
 * Names, conflicts and the project limit for a stream of valid rows, written in batches: a name
 * taken by an earlier row or a live case is failed, skipped or renamed per on_conflict, and rows
 * past the project's limit are rejected.
 */
class ImportBatcher {
  private pending: Pending[] = [];
  /** Rows a dry run counted as imported (the session's room does not shrink without inserts). */
  private dryRunRows = 0;
  /** Lower-cased names of rows accepted so far in this file, with their row numbers. */
  private readonly seen = new Map<string, number>();

  constructor(
    private readonly session: TestCaseImportSession,
    private readonly report: ImportReportBuilder,
    private readonly options: { dryRun: boolean; onConflict: OnConflict },
    private readonly signatureId: number | null,
  ) {}

  async add(item: Pending): Promise<void> {
    // fail and skip settle a name an earlier row took right away; rename waits for the flush,
    // so names are handed out in row order (the first duplicate gets -2).
    if (this.options.onConflict !== 'rename') {
      const key = item.name.toLowerCase();
      const earlier = this.seen.get(key);
      if (earlier !== undefined) {
        this.resolve(item, `row ${earlier} of this file is already named "${item.name}".`);
        return;
      }
      this.seen.set(key, item.where.row);
    }
    this.pending.push(item);
    if (this.pending.length >= BATCH_ROWS) await this.flush();
  }

  /** Applies on_conflict to a taken name: true when the row is to be renamed. */
  private resolve(item: Pending, why: string): boolean {
    switch (this.options.onConflict) {
      case 'skip':
        this.report.skip(item.where, `Skipped: ${why}`);
        return false;
      case 'fail':
        this.report.reject(item.where, [{ field: 'name', message: `Duplicate name: ${why}` }]);
        return false;
      case 'rename':
        return true;
    }
  }

  /** `<name>-2`, `<name>-3`... free in the file and in the project; null after MAX_RENAME_TRIES. */
  private async freeName(name: string): Promise<string | null> {
    const base = name.slice(0, 190);
    for (let start = 2; start < 2 + MAX_RENAME_TRIES; start += 10) {
      const candidates = Array.from({ length: 10 }, (_, i) => `${base}-${start + i}`).filter(
        (c) => !this.seen.has(c.toLowerCase()),
      );
      const taken = await this.session.takenNames(candidates.map((c) => c.toLowerCase()));
      const free = candidates.find((c) => !taken.has(c.toLowerCase()));
      if (free) return free;
    }
    return null;
  }

  async flush(): Promise<void> {
    const batch = this.pending;
    this.pending = [];
    if (!batch.length) return;
    const taken = await this.session.takenNames(batch.map((p) => p.name.toLowerCase()));
    const accepted: Pending[] = [];
    for (const item of batch) {
      const key = item.name.toLowerCase();
      const earlier = this.options.onConflict === 'rename' ? this.seen.get(key) : undefined;
      if (!taken.has(key) && earlier === undefined) {
        this.seen.set(key, item.where.row);
        accepted.push(item);
        continue;
      }
      const why =
        earlier !== undefined
          ? `row ${earlier} of this file is already named "${item.name}".`
          : `a test case named "${item.name}" already exists.`;
      if (!this.resolve(item, why)) continue;
      const renamed = await this.freeName(item.name);
      if (!renamed) {
        this.report.reject(item.where, [
          { field: 'name', message: `No free name like "${item.name}-<n>" was found.` },
        ]);
        continue;
      }
      this.seen.set(renamed.toLowerCase(), item.where.row);
      accepted.push({ ...item, name: renamed, renamedFrom: item.name });
    }
    const room = Math.max(0, this.session.remaining() - this.dryRunRows);
    const fits = accepted.slice(0, room);
    // A rename is reported only for a row that is kept: a row past the limit is an error alone.
    for (const item of fits)
      if (item.renamedFrom !== undefined)
        this.report.rename(item.where, item.renamedFrom, item.name);
    for (const item of accepted.slice(room)) {
      this.report.reject(item.where, [
        {
          message: 'The project has reached its test-case limit (MAX_TEST_CASES_PER_PROJECT).',
        },
      ]);
    }
    if (!fits.length) return;
    if (this.options.dryRun) {
      this.dryRunRows += fits.length;
      this.report.wouldHaveImported(fits.length);
      return;
    }
    const rows: NewTestCase[] = fits.map((p) => ({
      signatureId: this.signatureId,
      name: p.name,
      description: p.record.description,
      inputs: p.record.inputs,
      expectedOutputs: p.record.expected_outputs,
      tags: p.record.tags,
      isGolden: p.record.is_golden,
      isGenerated: p.record.is_generated,
    }));
    this.report.imported(await this.session.insert(rows));
  }
}

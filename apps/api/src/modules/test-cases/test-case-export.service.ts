import { Injectable } from '@nestjs/common';
import { type TestCaseEntity, type TestCaseExportFilter, TestCasesRepository } from '@ps/database';
import {
  type CaseRecord,
  csvColumns,
  csvHeaderLine,
  csvRowLine,
  type ExportFormat,
  jsonExportHead,
  jsonExportItem,
  jsonExportTail,
  jsonlLine,
  templateFor,
} from '@ps/test-case-io';
import type { Actor } from '../../http/actor';
import type { Download } from '../../http/send-download';
import { ProjectsService } from '../projects/projects.service';
import { SignaturesService } from '../signatures/signatures.service';
import type { ExportTestCasesDto, TemplateQueryDto } from './dto/export-test-cases.dto';

/** Cases read per query while an export streams. */
const EXPORT_PAGE = 500;

const CONTENT_TYPES: Record<ExportFormat, string> = {
  csv: 'text/csv; charset=utf-8',
  json: 'application/json; charset=utf-8',
  jsonl: 'application/x-ndjson; charset=utf-8',
};

function toRecord(t: TestCaseEntity): CaseRecord {
  return {
    name: t.name,
    description: t.description,
    inputs: t.inputs,
    expected_outputs: t.expectedOutputs,
    tags: t.tags,
    is_golden: t.isGolden,
    is_generated: t.isGenerated,
  };
}

/**
 * `POST /test-cases/export/{project_id}` and `GET /test-cases/template`. An export streams page
 * by page (keyset on id), so a project of any size is written in bounded memory; what it writes
 * re-imports to the same cases.
 */
@Injectable()
export class TestCaseExportService {
  constructor(
    private readonly testCases: TestCasesRepository,
    private readonly projects: ProjectsService,
    private readonly signatures: SignaturesService,
  ) {}

  async export(actor: Actor, projectId: number, dto: ExportTestCasesDto): Promise<Download> {
    const project = await this.projects.requireProject(actor, projectId, 'project_id');
    if (dto.signature_id) {
      await this.signatures.requireSignature(actor, dto.signature_id, 'signature_id');
    }
    const format = dto.format ?? 'json';
    const filter: TestCaseExportFilter = {
      goldenOnly: dto.golden_only ?? false,
      tags: dto.tags,
      signatureId: dto.signature_id,
    };
    const shape = await this.testCases.exportShape(project.id, filter);
    const pages = this.pages(project.id, filter);
    let body: AsyncIterable<string>;
    switch (format) {
      case 'csv': {
        const columns = csvColumns(shape.inputKeys, shape.expectedKeys);
        body = (async function* () {
          yield csvHeaderLine(columns);
          for await (const page of pages)
            yield page.map((t) => csvRowLine(columns, toRecord(t))).join('');
        })();
        break;
      }
      case 'json': {
        const head = jsonExportHead({
          project_id: project.id,
          exported_at: new Date().toISOString(),
          count: shape.count,
        });
        body = (async function* () {
          yield head;
          let index = 0;
          for await (const page of pages) {
            yield page.map((t) => jsonExportItem(toRecord(t), index++)).join('');
          }
          yield jsonExportTail();
        })();
        break;
      }
      case 'jsonl':
        body = (async function* () {
          for await (const page of pages) yield page.map((t) => jsonlLine(toRecord(t))).join('');
        })();
        break;
    }
    const stamp = new Date().toISOString().slice(0, 10);
    return {
      contentType: CONTENT_TYPES[format],
      filename: `test-cases-${project.id}-${stamp}.${format}`,
      body,
    };
  }

  private async *pages(
    projectId: number,
    filter: TestCaseExportFilter,
  ): AsyncGenerator<TestCaseEntity[]> {
    let after = 0;
    for (;;) {
      const page = await this.testCases.exportPage(projectId, filter, after, EXPORT_PAGE);
      if (!page.length) return;
      yield page;
      after = page[page.length - 1].id;
      if (page.length < EXPORT_PAGE) return;
    }
  }

  async template(actor: Actor, query: TemplateQueryDto): Promise<Download> {
    const signature = query.signature_id
      ? await this.signatures.requireSignature(actor, query.signature_id, 'signature_id')
      : undefined;
    const template = templateFor(
      query.format ?? 'csv',
      signature
        ? { input_schema: signature.inputSchema, output_schema: signature.outputSchema }
        : undefined,
    );
    return {
      contentType: template.content_type,
      filename: template.filename,
      body: [template.body],
    };
  }
}

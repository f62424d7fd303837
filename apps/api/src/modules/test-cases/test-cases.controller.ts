import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Param,
  Post,
  Put,
  Query,
  Req,
  Res,
} from '@nestjs/common';
import {
  ApiConsumes,
  ApiCreatedResponse,
  ApiExtension,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiExtraModels,
  ApiTags,
  getSchemaPath,
} from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { RequirePermission } from '../../auth/permissions';
import { type Actor, CurrentActor } from '../../http/actor';
import { ApiFileResponse, TEXT_FILE } from '../../http/api-file-response.decorator';
import { ApiIdempotencyKey } from '../../http/api-idempotency.decorator';
import { ApiProblems } from '../../http/api-problems.decorator';
import { Audited } from '../../http/audit.interceptor';
import { DeleteQueryDto } from '../../http/dto/delete-query.dto';
import { pageRequest } from '../../http/dto/page-query.dto';
import { IdParamPipe } from '../../http/id-param.pipe';
import { Idempotent } from '../../http/idempotency.interceptor';
import { sendDownload } from '../../http/send-download';
import { RAW_UPLOAD_TYPES, uploadOf } from '../../http/upload-stream';
import {
  BulkCreateTestCasesDto,
  CreateTestCaseDto,
  UpdateTestCaseDto,
} from './dto/create-test-case.dto';
import { ExportTestCasesDto, TemplateQueryDto } from './dto/export-test-cases.dto';
import { ImportReportDto } from './dto/import-report.dto';
import { ImportTestCasesDto } from './dto/import-test-cases.dto';
import { TestCaseFileDto } from './dto/test-case-file.dto';
import { UPLOAD_EXTENSION } from '../../openapi/openapi';
import { ListTestCasesQueryDto } from './dto/list-test-cases-query.dto';
import {
  BulkTestCasesResponseDto,
  TestCasePageDto,
  TestCaseResponseDto,
} from './dto/test-case-response.dto';
import { TestCaseExportService } from './test-case-export.service';
import { TestCaseImportService } from './test-case-import.service';
import { TestCasesService } from './test-cases.service';
import { ApiBodyExamples } from '../../http/api-body-examples.decorator';
import {
  BULK_CREATE_TEST_CASES_EXAMPLES,
  CREATE_TEST_CASE_EXAMPLES,
  IMPORT_TEST_CASES_EXAMPLES,
} from '../../openapi/request-examples';

@ApiTags('test-cases')
@Controller('test-cases')
export class TestCasesController {
  constructor(
    private readonly testCases: TestCasesService,
    private readonly importer: TestCaseImportService,
    private readonly exporter: TestCaseExportService,
  ) {}

  /** Create one test case. */
  @Post('create')
  @ApiOperation({
    summary: 'Create one test case',
    description:
      "Create one test case. With `signature_id` its inputs are checked against the signature's input schema. A case whose expected outputs name a `runner` (python or javascript) is scored by the program evaluator.",
  })
  @RequirePermission('write')
  @Audited('test_case.create', 'test_case')
  @Idempotent()
  @ApiIdempotencyKey()
  @ApiCreatedResponse({ type: TestCaseResponseDto })
  @ApiProblems(401, 403, 404, 409, 413, 415, 422)
  @ApiBodyExamples(CreateTestCaseDto, CREATE_TEST_CASE_EXAMPLES)
  createTestCase(@CurrentActor() actor: Actor, @Body() dto: CreateTestCaseDto) {
    return this.testCases.create(actor, dto);
  }

  /** Create many test cases at once, all or nothing. */
  @Post('bulk')
  @ApiOperation({
    summary: 'Create many test cases at once, all or nothing',
    description:
      'Create many test cases in one transaction: one invalid case rejects them all, with every bad field named (`test_cases.3.name`).',
  })
  @RequirePermission('write')
  @Audited('test_case.bulk_create', 'test_case')
  @Idempotent()
  @ApiIdempotencyKey()
  @ApiCreatedResponse({ type: BulkTestCasesResponseDto })
  @ApiProblems(401, 403, 404, 409, 413, 415, 422)
  @ApiBodyExamples(BulkCreateTestCasesDto, BULK_CREATE_TEST_CASES_EXAMPLES)
  bulkCreateTestCases(@CurrentActor() actor: Actor, @Body() dto: BulkCreateTestCasesDto) {
    return this.testCases.bulkCreate(actor, dto);
  }

  /**
   * Import test cases from a CSV, JSON, JSONL or promptfoo file, streamed row by row. The file
   * comes as `content`/`content_base64` in a JSON body, as the file part of a multipart form (the
   * option fields before it), or as the raw body with the options in the query. Every rejected
   * row is reported with its line; the good rows land (unless `atomic`). 201 with the report; 200
   * for a dry run; 413 past IMPORT_MAX_BYTES.
   */
  @Post('import')
  @ApiOperation({
    summary: 'Import test cases from a CSV, JSON, JSONL or promptfoo file',
    description:
      'The file comes as `content`/`content_base64` in a JSON body, as the file part of a multipart form (option fields before it), or as the raw body (text/csv, application/x-ndjson, application/yaml...) with the options as query parameters. Rows are read as a stream; each rejected row is reported with its line and the good rows land, unless `atomic=true`. Nothing is written when the file cannot be read past some line or exceeds IMPORT_MAX_BYTES (413). 201 with the report; 200 for a dry run.',
  })
  @RequirePermission('write')
  @Audited('test_case.import', 'test_case')
  @ApiConsumes('application/json', 'multipart/form-data', ...RAW_UPLOAD_TYPES)
  @ApiExtension(UPLOAD_EXTENSION, {
    field: 'file',
    jsonOnly: ['content', 'content_base64', 'filename'],
  })
  @ApiCreatedResponse({ type: ImportReportDto })
  @ApiOkResponse({ type: ImportReportDto, description: 'dry_run: what the import would do.' })
  @ApiProblems(401, 403, 404, 409, 413, 415, 422)
  @ApiBodyExamples(ImportTestCasesDto, IMPORT_TEST_CASES_EXAMPLES)
  async importTestCases(
    @CurrentActor() actor: Actor,
    @Body() dto: ImportTestCasesDto,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ): Promise<ImportReportDto> {
    const report = await this.importer.import(actor, dto, uploadOf(req));
    res.status(report.dry_run ? 200 : 201);
    return report;
  }

  /**
   * Export a project's test cases as CSV, JSON or JSONL (streamed), filtered by golden flag, tags
   * or signature. The file re-imports to the same cases.
   */
  @Post('export/:project_id')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Export the test cases of a project (CSV, JSON or JSONL)',
    description:
      "Export a project's test cases as CSV, JSON or JSONL (streamed), filtered by golden flag, tags or signature. The file re-imports to the same cases.",
  })
  @RequirePermission('read')
  @ApiExtraModels(TestCaseFileDto)
  @ApiFileResponse('The file, in the requested format.', {
    'text/csv': TEXT_FILE,
    'application/json': { $ref: getSchemaPath(TestCaseFileDto) },
    'application/x-ndjson': { ...TEXT_FILE, description: 'One TestCaseRecordDto per line.' },
  })
  @ApiProblems(401, 403, 404)
  async exportTestCases(
    @CurrentActor() actor: Actor,
    @Param('project_id', IdParamPipe) projectId: number,
    @Body() dto: ExportTestCasesDto,
    @Res() res: Response,
  ): Promise<void> {
    await sendDownload(res, await this.exporter.export(actor, projectId, dto));
  }

  /** A file to fill in: the columns (or fields) an import reads, from a signature when given. */
  @Get('template')
  @ApiOperation({
    summary: 'Get an import template (CSV or JSON)',
    description:
      'A file to fill in: the columns (or fields) an import reads, from a signature when given.',
  })
  @RequirePermission('read')
  @ApiFileResponse('The template file, in the requested format.', {
    'text/csv': TEXT_FILE,
    'application/json': { $ref: getSchemaPath(TestCaseFileDto) },
  })
  @ApiProblems(401, 403, 404)
  async getTestCaseTemplate(
    @CurrentActor() actor: Actor,
    @Query() query: TemplateQueryDto,
    @Res() res: Response,
  ): Promise<void> {
    await sendDownload(res, await this.exporter.template(actor, query));
  }

  /** List a project's test cases, filtered by golden flag, tags or text. */
  @Get('list')
  @ApiOperation({
    summary: 'List the test cases of a project',
    description: "List a project's test cases, filtered by golden flag, tags or text.",
  })
  @RequirePermission('read')
  @ApiOkResponse({ type: TestCasePageDto })
  @ApiProblems(401, 403, 404)
  listTestCases(@CurrentActor() actor: Actor, @Query() query: ListTestCasesQueryDto) {
    return this.testCases.list(actor, query, pageRequest(query));
  }

  /** Get one test case. */
  @Get(':id')
  @ApiOperation({
    summary: 'Get one test case',
    description: 'One test case with its inputs, expected outputs and tags.',
  })
  @RequirePermission('read')
  @ApiOkResponse({ type: TestCaseResponseDto })
  @ApiProblems(401, 403, 404)
  getTestCase(@CurrentActor() actor: Actor, @Param('id', IdParamPipe) id: number) {
    return this.testCases.get(actor, id);
  }

  /** Change any of a test case's fields. */
  @Put(':id')
  @ApiOperation({
    summary: 'Update a test case',
    description: "Change any of a test case's fields.",
  })
  @RequirePermission('write')
  @Audited('test_case.update', 'test_case')
  @ApiOkResponse({ type: TestCaseResponseDto })
  @ApiProblems(401, 403, 404, 409)
  updateTestCase(
    @CurrentActor() actor: Actor,
    @Param('id', IdParamPipe) id: number,
    @Body() dto: UpdateTestCaseDto,
  ) {
    return this.testCases.update(actor, id, dto);
  }

  /** Soft-delete a test case, or remove it with `permanent=true`. */
  @Delete(':id')
  @ApiOperation({
    summary: 'Delete a test case',
    description: 'Soft-delete a test case, or remove it with `permanent=true`.',
  })
  @RequirePermission('delete')
  @Audited('test_case.delete', 'test_case')
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'Deleted.' })
  @ApiProblems(401, 403, 404)
  async deleteTestCase(
    @CurrentActor() actor: Actor,
    @Param('id', IdParamPipe) id: number,
    @Query() query: DeleteQueryDto,
  ): Promise<void> {
    await this.testCases.delete(actor, id, query.permanent ?? false);
  }
}

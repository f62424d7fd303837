import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { RequirePermission } from '../../auth/permissions';
import { type Actor, CurrentActor } from '../../http/actor';
import { ApiIdempotencyKey } from '../../http/api-idempotency.decorator';
import { ApiProblems } from '../../http/api-problems.decorator';
import { Audited } from '../../http/audit.interceptor';
import { DeleteQueryDto } from '../../http/dto/delete-query.dto';
import { pageRequest } from '../../http/dto/page-query.dto';
import { IdParamPipe } from '../../http/id-param.pipe';
import { Idempotent } from '../../http/idempotency.interceptor';
import {
  BulkCreateTestCasesDto,
  CreateTestCaseDto,
  UpdateTestCaseDto,
} from './dto/create-test-case.dto';
import { ListTestCasesQueryDto } from './dto/list-test-cases-query.dto';
import {
  BulkTestCasesResponseDto,
  TestCasePageDto,
  TestCaseResponseDto,
} from './dto/test-case-response.dto';
import { TestCasesService } from './test-cases.service';

@ApiTags('test-cases')
@Controller('test-cases')
export class TestCasesController {
  constructor(private readonly testCases: TestCasesService) {}

  /** Create one test case. */
  @Post('create')
  @RequirePermission('write')
  @Audited('test_case.create', 'test_case')
  @Idempotent()
  @ApiIdempotencyKey()
  @ApiCreatedResponse({ type: TestCaseResponseDto })
  @ApiProblems(401, 403, 404, 409, 413, 415, 422)
  createTestCase(@CurrentActor() actor: Actor, @Body() dto: CreateTestCaseDto) {
    return this.testCases.create(actor, dto);
  }

  /** Create many test cases at once, all or nothing. */
  @Post('bulk')
  @RequirePermission('write')
  @Audited('test_case.bulk_create', 'test_case')
  @Idempotent()
  @ApiIdempotencyKey()
  @ApiCreatedResponse({ type: BulkTestCasesResponseDto })
  @ApiProblems(401, 403, 404, 409, 413, 415, 422)
  bulkCreateTestCases(@CurrentActor() actor: Actor, @Body() dto: BulkCreateTestCasesDto) {
    return this.testCases.bulkCreate(actor, dto);
  }

  /** List a project's test cases, filtered by golden flag, tags or text. */
  @Get('list')
  @RequirePermission('read')
  @ApiOkResponse({ type: TestCasePageDto })
  @ApiProblems(401, 403, 404)
  listTestCases(@CurrentActor() actor: Actor, @Query() query: ListTestCasesQueryDto) {
    return this.testCases.list(actor, query, pageRequest(query));
  }

  /** Get one test case. */
  @Get(':id')
  @RequirePermission('read')
  @ApiOkResponse({ type: TestCaseResponseDto })
  @ApiProblems(401, 403, 404)
  getTestCase(@CurrentActor() actor: Actor, @Param('id', IdParamPipe) id: number) {
    return this.testCases.get(actor, id);
  }

  /** Change any of a test case's fields. */
  @Put(':id')
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

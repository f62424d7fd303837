import { Body, Controller, HttpCode, Post, Query, Req, Res } from '@nestjs/common';
import { ApiAcceptedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { requestIdOf } from '@ps/common';
import { RateLimit, RequirePermission } from '../../auth/permissions';
import { type Actor, CurrentActor } from '../../http/actor';
import { ApiIdempotencyKey } from '../../http/api-idempotency.decorator';
import { ApiProblems } from '../../http/api-problems.decorator';
import { Audited } from '../../http/audit.interceptor';
import { Idempotent } from '../../http/idempotency.interceptor';
import {
  GenerateTestCasesDto,
  GenerateWaitQueryDto,
  TestCaseGenerationJobDto,
} from './dto/generate-test-cases.dto';
import { TestCaseGenerationService } from './test-case-generation.service';
import { ApiBodyExamples } from '../../http/api-body-examples.decorator';
import { GENERATE_TEST_CASES_EXAMPLES } from '../../openapi/request-examples';

const DESCRIPTION =
  'Generate test cases into a project (a `generation` job): 202 with the job, whose id GET ' +
  '/jobs/{id} follows; when it completes its result lists the stored cases (`test_case_ids`), ' +
  'and a `test_cases_generated` event is sent to the project. A model writes the cases ' +
  '(model_config, else the prompt’s, else the first model of the first provider with an API key) in ' +
  'batches of up to 10, with at most ceil(num_cases / 10) + 3 calls; answers that are not JSON ' +
  'or do not fit the input schema are asked again within that budget and never stored. Without ' +
  'a model (or with generator=deterministic) a seeded typed generator writes them. Cases are ' +
  'checked against the signature, near-duplicates (of each other and of the project’s cases) ' +
  'are dropped, names are made unique, and each case is tagged `generated`, ' +
  '`strategy:<strategy>`, `kind:<category>` and `generation:<job id>` (plus `unreviewed` when ' +
  'the model proposed expected outputs). The project’s test-case limit applies. With ' +
  '`wait=true` the answer waits for the job (up to EVALUATION_WAIT_SECONDS): 200 when it ended.';

@ApiTags('test-cases')
@Controller('test-cases')
export class TestCaseGenerationController {
  constructor(private readonly generation: TestCaseGenerationService) {}

  /** Generate test cases into a project in the background (a `generation` job). */
  @Post('generate')
  @ApiOperation({
    summary: 'Generate test cases with a model or the typed generator (a job)',
    description: DESCRIPTION,
  })
  @HttpCode(202)
  @RequirePermission('write')
  @RateLimit('generate')
  @Idempotent()
  @ApiIdempotencyKey()
  @Audited('test_case.generate', 'job')
  @ApiAcceptedResponse({ type: TestCaseGenerationJobDto })
  @ApiOkResponse({ type: TestCaseGenerationJobDto, description: 'wait=true and the job ended.' })
  @ApiProblems(401, 403, 404, 409, 413, 415, 422, 503)
  @ApiBodyExamples(GenerateTestCasesDto, GENERATE_TEST_CASES_EXAMPLES)
  async generateTestCases(
    @CurrentActor() actor: Actor,
    @Body() dto: GenerateTestCasesDto,
    @Query() query: GenerateWaitQueryDto,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ): Promise<TestCaseGenerationJobDto> {
    const job = await this.generation.generate(actor, dto, requestIdOf(req) ?? null, query.wait);
    if (query.wait && ['completed', 'failed', 'cancelled'].includes(job.status)) res.status(200);
    return job;
  }
}

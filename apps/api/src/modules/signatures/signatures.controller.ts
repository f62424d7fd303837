import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import {
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { RequirePermission } from '../../auth/permissions';
import { type Actor, CurrentActor } from '../../http/actor';
import { ApiIdempotencyKey } from '../../http/api-idempotency.decorator';
import { ApiProblems } from '../../http/api-problems.decorator';
import { Audited } from '../../http/audit.interceptor';
import { DeleteQueryDto } from '../../http/dto/delete-query.dto';
import { pageRequest } from '../../http/dto/page-query.dto';
import { IdParamPipe } from '../../http/id-param.pipe';
import { Idempotent } from '../../http/idempotency.interceptor';
import { CreateSignatureDto, UpdateSignatureDto } from './dto/create-signature.dto';
import { ListSignaturesQueryDto } from './dto/list-signatures-query.dto';
import { SignaturePageDto, SignatureResponseDto } from './dto/signature-response.dto';
import { SignatureValidationResponseDto, ValidateSignatureDto } from './dto/validate-signature.dto';
import { SignaturesService } from './signatures.service';
import { ApiBodyExamples } from '../../http/api-body-examples.decorator';
import { CREATE_SIGNATURE_EXAMPLES } from '../../openapi/request-examples';

@ApiTags('signatures')
@Controller('signatures')
export class SignaturesController {
  constructor(private readonly signatures: SignaturesService) {}

  /** Create a signature: typed input and output fields for a task. */
  @Post('create')
  @ApiOperation({
    summary: 'Create a signature',
    description: 'Create a signature: typed input and output fields for a task.',
  })
  @RequirePermission('write')
  @Audited('signature.create', 'signature')
  @Idempotent()
  @ApiIdempotencyKey()
  @ApiCreatedResponse({ type: SignatureResponseDto })
  @ApiProblems(401, 403, 404, 409, 413, 415, 422)
  @ApiBodyExamples(CreateSignatureDto, CREATE_SIGNATURE_EXAMPLES)
  createSignature(@CurrentActor() actor: Actor, @Body() dto: CreateSignatureDto) {
    return this.signatures.create(actor, dto);
  }

  /** List the signatures of a project. */
  @Get('list')
  @ApiOperation({
    summary: 'List the signatures of a project',
    description: 'The signatures of a project (`project_id`), with their input and output fields.',
  })
  @RequirePermission('read')
  @ApiOkResponse({ type: SignaturePageDto })
  @ApiProblems(401, 403, 404)
  listSignatures(@CurrentActor() actor: Actor, @Query() query: ListSignaturesQueryDto) {
    return this.signatures.list(actor, query, pageRequest(query));
  }

  /** Check inputs (and optionally outputs) against the signature's schemas. */
  @Post(':id/validate')
  @ApiOperation({
    summary: 'Check inputs (and outputs) against a signature',
    description: "Check inputs (and optionally outputs) against the signature's schemas.",
  })
  @RequirePermission('read')
  @HttpCode(200)
  @ApiOkResponse({ type: SignatureValidationResponseDto })
  @ApiProblems(401, 403, 404)
  validateSignatureInputs(
    @CurrentActor() actor: Actor,
    @Param('id', IdParamPipe) id: number,
    @Body() dto: ValidateSignatureDto,
  ) {
    return this.signatures.validate(actor, id, dto);
  }

  /** Get one signature. */
  @Get(':id')
  @ApiOperation({
    summary: 'Get one signature',
    description: 'One signature: instruction, typed input and output fields, constraints.',
  })
  @RequirePermission('read')
  @ApiOkResponse({ type: SignatureResponseDto })
  @ApiProblems(401, 403, 404)
  getSignature(@CurrentActor() actor: Actor, @Param('id', IdParamPipe) id: number) {
    return this.signatures.get(actor, id);
  }

  /** Change a signature's name, instruction, schemas or constraints. */
  @Put(':id')
  @ApiOperation({
    summary: 'Update a signature',
    description: "Change a signature's name, instruction, schemas or constraints.",
  })
  @RequirePermission('write')
  @Audited('signature.update', 'signature')
  @ApiOkResponse({ type: SignatureResponseDto })
  @ApiProblems(401, 403, 404, 409)
  updateSignature(
    @CurrentActor() actor: Actor,
    @Param('id', IdParamPipe) id: number,
    @Body() dto: UpdateSignatureDto,
  ) {
    return this.signatures.update(actor, id, dto);
  }

  /** Soft-delete a signature, or remove it with `permanent=true`. */
  @Delete(':id')
  @ApiOperation({
    summary: 'Delete a signature',
    description: 'Soft-delete a signature, or remove it with `permanent=true`.',
  })
  @RequirePermission('delete')
  @Audited('signature.delete', 'signature')
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'Deleted.' })
  @ApiProblems(401, 403, 404)
  async deleteSignature(
    @CurrentActor() actor: Actor,
    @Param('id', IdParamPipe) id: number,
    @Query() query: DeleteQueryDto,
  ): Promise<void> {
    await this.signatures.delete(actor, id, query.permanent ?? false);
  }
}

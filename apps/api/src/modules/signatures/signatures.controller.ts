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
import { CreateSignatureDto, UpdateSignatureDto } from './dto/create-signature.dto';
import { ListSignaturesQueryDto } from './dto/list-signatures-query.dto';
import { SignaturePageDto, SignatureResponseDto } from './dto/signature-response.dto';
import { SignatureValidationResponseDto, ValidateSignatureDto } from './dto/validate-signature.dto';
import { SignaturesService } from './signatures.service';

@ApiTags('signatures')
@Controller('signatures')
export class SignaturesController {
  constructor(private readonly signatures: SignaturesService) {}

  /** Create a signature: typed input and output fields for a task. */
  @Post('create')
  @RequirePermission('write')
  @Audited('signature.create', 'signature')
  @Idempotent()
  @ApiIdempotencyKey()
  @ApiCreatedResponse({ type: SignatureResponseDto })
  @ApiProblems(401, 403, 404, 409, 413, 415, 422)
  createSignature(@CurrentActor() actor: Actor, @Body() dto: CreateSignatureDto) {
    return this.signatures.create(actor, dto);
  }

  /** List the signatures of a project. */
  @Get('list')
  @RequirePermission('read')
  @ApiOkResponse({ type: SignaturePageDto })
  @ApiProblems(401, 403, 404)
  listSignatures(@CurrentActor() actor: Actor, @Query() query: ListSignaturesQueryDto) {
    return this.signatures.list(actor, query, pageRequest(query));
  }

  /** Check inputs (and optionally outputs) against the signature's schemas. */
  @Post(':id/validate')
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
  @RequirePermission('read')
  @ApiOkResponse({ type: SignatureResponseDto })
  @ApiProblems(401, 403, 404)
  getSignature(@CurrentActor() actor: Actor, @Param('id', IdParamPipe) id: number) {
    return this.signatures.get(actor, id);
  }

  /** Change a signature's name, instruction, schemas or constraints. */
  @Put(':id')
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

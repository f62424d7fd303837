import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { type Actor, CurrentActor } from '../../http/actor';
import { ApiIdempotencyKey } from '../../http/api-idempotency.decorator';
import { ApiProblems } from '../../http/api-problems.decorator';
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
  @Idempotent()
  @ApiIdempotencyKey()
  @ApiCreatedResponse({ type: SignatureResponseDto })
  @ApiProblems(404, 409, 413, 415, 422)
  createSignature(@CurrentActor() actor: Actor, @Body() dto: CreateSignatureDto) {
    return this.signatures.create(actor, dto);
  }

  /** List the signatures of a project. */
  @Get('list')
  @ApiOkResponse({ type: SignaturePageDto })
  @ApiProblems(404)
  listSignatures(@CurrentActor() actor: Actor, @Query() query: ListSignaturesQueryDto) {
    return this.signatures.list(actor, query, pageRequest(query));
  }

  /** Check inputs (and optionally outputs) against the signature's schemas. */
  @Post(':id/validate')
  @HttpCode(200)
  @ApiOkResponse({ type: SignatureValidationResponseDto })
  @ApiProblems(404)
  validateSignatureInputs(
    @CurrentActor() actor: Actor,
    @Param('id', IdParamPipe) id: number,
    @Body() dto: ValidateSignatureDto,
  ) {
    return this.signatures.validate(actor, id, dto);
  }

  /** Get one signature. */
  @Get(':id')
  @ApiOkResponse({ type: SignatureResponseDto })
  @ApiProblems(404)
  getSignature(@CurrentActor() actor: Actor, @Param('id', IdParamPipe) id: number) {
    return this.signatures.get(actor, id);
  }

  /** Change a signature's name, instruction, schemas or constraints. */
  @Put(':id')
  @ApiOkResponse({ type: SignatureResponseDto })
  @ApiProblems(404, 409)
  updateSignature(
    @CurrentActor() actor: Actor,
    @Param('id', IdParamPipe) id: number,
    @Body() dto: UpdateSignatureDto,
  ) {
    return this.signatures.update(actor, id, dto);
  }

  /** Soft-delete a signature, or remove it with `permanent=true`. */
  @Delete(':id')
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'Deleted.' })
  @ApiProblems(404)
  async deleteSignature(
    @CurrentActor() actor: Actor,
    @Param('id', IdParamPipe) id: number,
    @Query() query: DeleteQueryDto,
  ): Promise<void> {
    await this.signatures.delete(actor, id, query.permanent ?? false);
  }
}

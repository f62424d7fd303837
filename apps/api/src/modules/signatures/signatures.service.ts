import { Injectable } from '@nestjs/common';
import {
  type FieldError,
  NotFoundError,
  type Page,
  type PageRequest,
  parseSort,
  type SignatureFieldSpec,
  toPage,
  validateFields,
  ValidationFailedError,
} from '@ps/common';
import { type SignatureEntity, SignaturesRepository } from '@ps/database';
import type { Actor } from '../../http/actor';
import { requireChanges } from '../../http/dto/require-changes';
import { ProjectsService } from '../projects/projects.service';
import type { CreateSignatureDto, UpdateSignatureDto } from './dto/create-signature.dto';
import type { ListSignaturesQueryDto } from './dto/list-signatures-query.dto';
import type { SignatureFieldDto } from './dto/signature-field.dto';
import type { SignatureResponseDto } from './dto/signature-response.dto';
import type {
  SignatureValidationResponseDto,
  ValidateSignatureDto,
} from './dto/validate-signature.dto';
import { toSignatureResponse } from './signature.mapper';

/** Duplicate field names within one schema, as field errors naming the repeated entries. */
function duplicateFieldErrors(fields: SignatureFieldDto[], path: string): FieldError[] {
  const errors: FieldError[] = [];
  const seen = new Set<string>();
  fields.forEach((field, index) => {
    if (seen.has(field.name)) {
      errors.push({
        field: `${path}.${index}.name`,
        message: `duplicate field name "${field.name}".`,
      });
    }
    seen.add(field.name);
  });
  return errors;
}

function toFieldSpec(field: SignatureFieldDto): SignatureFieldSpec {
  return {
    name: field.name,
    type: field.type,
    ...(field.description ? { description: field.description } : {}),
    required: field.required ?? true,
  };
}

/**
 * Checks the schemas sent (duplicates in both are reported together) and applies defaults:
 * `required` is true unless sent as false. A schema left out stays undefined.
 */
function normaliseSchemas(
  input: SignatureFieldDto[] | undefined,
  output: SignatureFieldDto[] | undefined,
): { inputSchema?: SignatureFieldSpec[]; outputSchema?: SignatureFieldSpec[] } {
  const errors = [
    ...duplicateFieldErrors(input ?? [], 'input_schema'),
    ...duplicateFieldErrors(output ?? [], 'output_schema'),
  ];
  if (errors.length) throw new ValidationFailedError(errors);
  return {
    ...(input ? { inputSchema: input.map(toFieldSpec) } : {}),
    ...(output ? { outputSchema: output.map(toFieldSpec) } : {}),
  };
}

@Injectable()
export class SignaturesService {
  constructor(
    private readonly signatures: SignaturesRepository,
    private readonly projects: ProjectsService,
  ) {}

  async requireSignature(actor: Actor, id: number, field?: string): Promise<SignatureEntity> {
    const signature = await this.signatures.findLive(actor.workspaceId, id);
    if (!signature) throw new NotFoundError('Signature', id, field);
    return signature;
  }

  async create(actor: Actor, dto: CreateSignatureDto): Promise<SignatureResponseDto> {
    const schemas = normaliseSchemas(dto.input_schema, dto.output_schema);
    const project = await this.projects.requireProject(actor, dto.project_id, 'project_id');
    const signature = await this.signatures.create({
      projectId: project.id,
      name: dto.name,
      instruction: dto.instruction ?? null,
      inputSchema: schemas.inputSchema ?? [],
      outputSchema: schemas.outputSchema ?? [],
      constraints: dto.constraints ?? {},
    });
    return toSignatureResponse(signature);
  }

  async list(
    actor: Actor,
    query: ListSignaturesQueryDto,
    page: PageRequest,
  ): Promise<Page<SignatureResponseDto>> {
    const project = await this.projects.requireProject(actor, query.project_id, 'project_id');
    const { rows, total } = await this.signatures.list(
      project.id,
      { search: query.search, sort: parseSort<'name' | 'created_at'>(query.sort, 'name') },
      page,
    );
    return toPage(rows, total, page, toSignatureResponse);
  }

  async get(actor: Actor, id: number): Promise<SignatureResponseDto> {
    return toSignatureResponse(await this.requireSignature(actor, id));
  }

  async update(actor: Actor, id: number, dto: UpdateSignatureDto): Promise<SignatureResponseDto> {
    requireChanges(dto);
    const schemas = normaliseSchemas(dto.input_schema, dto.output_schema);
    const signature = await this.requireSignature(actor, id);
    const updated = await this.signatures.update(signature, {
      ...(dto.name !== undefined ? { name: dto.name } : {}),
      ...(dto.instruction !== undefined ? { instruction: dto.instruction } : {}),
      ...schemas,
      ...(dto.constraints !== undefined ? { constraints: dto.constraints } : {}),
    });
    return toSignatureResponse(updated);
  }

  async delete(actor: Actor, id: number, permanent: boolean): Promise<void> {
    if (permanent) {
      const signature = await this.signatures.findAny(actor.workspaceId, id);
      if (!signature) throw new NotFoundError('Signature', id);
      await this.signatures.hardDelete(signature.id);
      return;
    }
    await this.signatures.softDelete((await this.requireSignature(actor, id)).id);
  }

  async validate(
    actor: Actor,
    id: number,
    dto: ValidateSignatureDto,
  ): Promise<SignatureValidationResponseDto> {
    const signature = await this.requireSignature(actor, id);
    const inputs = validateFields(signature.inputSchema, dto.inputs, 'inputs');
    const outputs = dto.outputs
      ? validateFields(signature.outputSchema, dto.outputs, 'outputs')
      : { valid: true, errors: [], unknown_fields: [] };
    return {
      valid: inputs.valid && outputs.valid,
      errors: [...inputs.errors, ...outputs.errors],
      unknown_fields: [
        ...inputs.unknown_fields.map((f) => `inputs.${f}`),
        ...outputs.unknown_fields.map((f) => `outputs.${f}`),
      ],
    };
  }
}

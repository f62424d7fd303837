import { randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { ApiConfig } from '@ps/config';
import {
  ConflictError,
  type FieldError,
  LimitExceededError,
  NotFoundError,
  type Page,
  type PageRequest,
  parseSort,
  toPage,
  validateFields,
  ValidationFailedError,
} from '@ps/common';
import {
  type NewTestCase,
  type ProjectEntity,
  type SignatureEntity,
  type TestCaseEntity,
  TestCasesRepository,
  projectCaseLimit,
} from '@ps/database';
import type { Actor } from '../../http/actor';
import { requireChanges } from '../../http/dto/require-changes';
import { ProjectsService } from '../projects/projects.service';
import { SignaturesService } from '../signatures/signatures.service';
import type {
  BulkCreateTestCasesDto,
  CreateTestCaseDto,
  TestCaseFieldsDto,
  UpdateTestCaseDto,
} from './dto/create-test-case.dto';
import type { ListTestCasesQueryDto } from './dto/list-test-cases-query.dto';
import type { BulkTestCasesResponseDto, TestCaseResponseDto } from './dto/test-case-response.dto';
import { toTestCaseResponse } from './test-case.mapper';

function generatedName(): string {
  return `case-${randomBytes(4).toString('hex')}`;
}

@Injectable()
export class TestCasesService {
  constructor(
    private readonly testCases: TestCasesRepository,
    private readonly projects: ProjectsService,
    private readonly signatures: SignaturesService,
    private readonly config: ApiConfig,
  ) {}

  private async requireTestCase(actor: Actor, id: number): Promise<TestCaseEntity> {
    const testCase = await this.testCases.findLive(actor.workspaceId, id);
    if (!testCase) throw new NotFoundError('Test case', id);
    return testCase;
  }

  /** Per-project limit: the project's `config.max_test_cases` may lower the install-wide one. */
  limitOf(project: ProjectEntity): number {
    return projectCaseLimit(this.config.env.MAX_TEST_CASES_PER_PROJECT, project.config);
  }

  /** Loads each distinct signature once and checks it belongs to the project. */
  private async signaturesFor(
    actor: Actor,
    project: ProjectEntity,
    items: { signature_id?: number | null }[],
    fieldOf: (index: number) => string,
  ): Promise<Map<number, SignatureEntity>> {
    const found = new Map<number, SignatureEntity>();
    for (const [index, item] of items.entries()) {
      const id = item.signature_id;
      if (!id || found.has(id)) continue;
      const field = `${fieldOf(index)}signature_id`;
      const signature = await this.signatures.requireSignature(actor, id, field);
      if (signature.projectId !== project.id) {
        throw new ValidationFailedError([
          { field, message: `Signature ${id} belongs to another project.` },
        ]);
      }
      found.set(id, signature);
    }
    return found;
  }

  private toNew(
    items: TestCaseFieldsDto[],
    signatures: Map<number, SignatureEntity>,
    fieldOf: (index: number) => string,
  ): NewTestCase[] {
    const errors: FieldError[] = [];
    const rows = items.map((item, index) => {
      const signature = item.signature_id ? signatures.get(item.signature_id) : undefined;
      if (signature) {
        errors.push(
          ...validateFields(signature.inputSchema, item.inputs, `${fieldOf(index)}inputs`).errors,
        );
      }
      return {
        signatureId: item.signature_id ?? null,
        name: item.name ?? generatedName(),
        description: item.description ?? null,
        inputs: item.inputs,
        expectedOutputs: item.expected_outputs ?? {},
        tags: item.tags ?? [],
        isGolden: item.is_golden ?? false,
        isGenerated: false,
      };
    });
    if (errors.length)
      throw new ValidationFailedError(errors, 'Inputs do not match the signature.');
    return rows;
  }

  async create(actor: Actor, dto: CreateTestCaseDto): Promise<TestCaseResponseDto> {
    const project = await this.projects.requireProject(actor, dto.project_id, 'project_id');
    const fieldOf = () => '';
    const signatures = await this.signaturesFor(actor, project, [dto], fieldOf);
    const [created] = await this.testCases.createMany(
      project.id,
      this.toNew([dto], signatures, fieldOf),
      this.limitOf(project),
      (index) => (index < 0 ? 'project_id' : ''),
    );
    return toTestCaseResponse(created);
  }

  async bulkCreate(actor: Actor, dto: BulkCreateTestCasesDto): Promise<BulkTestCasesResponseDto> {
    const max = this.config.env.MAX_BULK_TEST_CASES;
    if (dto.test_cases.length > max) {
      throw new LimitExceededError(`A bulk request holds at most ${max} test cases.`, [
        { field: 'test_cases', message: `at most ${max} items (got ${dto.test_cases.length}).` },
      ]);
    }
    const project = await this.projects.requireProject(actor, dto.project_id, 'project_id');
    const fieldOf = (index: number) => `test_cases.${index}.`;
    const seen = new Map<string, number>();
    const duplicates: FieldError[] = [];
    dto.test_cases.forEach((item, index) => {
      if (!item.name) return;
      const key = item.name.toLowerCase();
      const first = seen.get(key);
      if (first !== undefined) {
        duplicates.push({
          field: `test_cases.${index}.name`,
          message: `"${item.name}" repeats the name of test_cases.${first}.`,
        });
      } else seen.set(key, index);
    });
    if (duplicates.length) {
      throw new ConflictError('Test case names must be unique within the request.', duplicates);
    }
    const signatures = await this.signaturesFor(actor, project, dto.test_cases, fieldOf);
    const created = await this.testCases.createMany(
      project.id,
      this.toNew(dto.test_cases, signatures, fieldOf),
      this.limitOf(project),
      (index) => (index < 0 ? 'test_cases' : `test_cases.${index}`),
    );
    return { created: created.length, items: created.map(toTestCaseResponse) };
  }

  async list(
    actor: Actor,
    query: ListTestCasesQueryDto,
    page: PageRequest,
  ): Promise<Page<TestCaseResponseDto>> {
    const project = await this.projects.requireProject(actor, query.project_id, 'project_id');
    const { rows, total } = await this.testCases.list(
      project.id,
      {
        search: query.search,
        isGolden: query.is_golden,
        tags: query.tags,
        signatureId: query.signature_id,
        sort: parseSort<'name' | 'created_at' | 'updated_at'>(query.sort, 'created_at'),
      },
      page,
    );
    return toPage(rows, total, page, toTestCaseResponse);
  }

  async get(actor: Actor, id: number): Promise<TestCaseResponseDto> {
    return toTestCaseResponse(await this.requireTestCase(actor, id));
  }

  async update(actor: Actor, id: number, dto: UpdateTestCaseDto): Promise<TestCaseResponseDto> {
    requireChanges(dto);
    const testCase = await this.requireTestCase(actor, id);
    const signatureId = dto.signature_id !== undefined ? dto.signature_id : testCase.signatureId;
    if (signatureId) {
      const project = await this.projects.requireProject(actor, testCase.projectId);
      const signatures = await this.signaturesFor(
        actor,
        project,
        [{ signature_id: signatureId }],
        () => '',
      );
      const errors = validateFields(
        signatures.get(signatureId)!.inputSchema,
        dto.inputs ?? testCase.inputs,
        'inputs',
      ).errors;
      if (errors.length)
        throw new ValidationFailedError(errors, 'Inputs do not match the signature.');
    }
    const updated = await this.testCases.update(testCase, {
      ...(dto.name !== undefined ? { name: dto.name } : {}),
      ...(dto.description !== undefined ? { description: dto.description } : {}),
      ...(dto.inputs !== undefined ? { inputs: dto.inputs } : {}),
      ...(dto.expected_outputs !== undefined ? { expectedOutputs: dto.expected_outputs } : {}),
      ...(dto.tags !== undefined ? { tags: dto.tags } : {}),
      ...(dto.is_golden !== undefined ? { isGolden: dto.is_golden } : {}),
      ...(dto.signature_id !== undefined ? { signatureId: dto.signature_id } : {}),
    });
    return toTestCaseResponse(updated);
  }

  async delete(actor: Actor, id: number, permanent: boolean): Promise<void> {
    if (permanent) {
      const testCase = await this.testCases.findAny(actor.workspaceId, id);
      if (!testCase) throw new NotFoundError('Test case', id);
      await this.testCases.hardDelete(testCase.id);
      return;
    }
    await this.testCases.softDelete((await this.requireTestCase(actor, id)).id);
  }
}

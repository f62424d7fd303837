import { Injectable } from '@nestjs/common';
import { ConflictError, type PageRequest, pageOffset } from '@ps/common';
import { DataSource, type EntityManager } from 'typeorm';
import { PromptVersionEntity } from '../entities/prompt-version.entity';
import { PromptEntity } from '../entities/prompt.entity';
import { likePattern, uniqueViolation } from './database-errors';

export type NewVersion = Pick<
  PromptVersionEntity,
  'systemPrompt' | 'userPrompt' | 'fewShotExamples' | 'modelConfig' | 'changeDescription' | 'source'
> & { optimizationId?: number | null };

export interface PromptWithVersion {
  prompt: PromptEntity;
  version: PromptVersionEntity;
}

function duplicateName(name: string): ConflictError {
  return new ConflictError(`A prompt named "${name}" already exists in this project.`, [
    { field: 'name', message: `A prompt named "${name}" already exists.` },
  ]);
}

@Injectable()
export class PromptsRepository {
  constructor(private readonly dataSource: DataSource) {}

  private get prompts() {
    return this.dataSource.getRepository(PromptEntity);
  }

  private get versions() {
    return this.dataSource.getRepository(PromptVersionEntity);
  }

  /** Creates the prompt and its version 1 in one transaction. */
  async createWithFirstVersion(
    values: Pick<PromptEntity, 'projectId' | 'name' | 'description' | 'signatureId'>,
    version: NewVersion,
  ): Promise<PromptWithVersion> {
    try {
      return await this.dataSource.transaction(async (manager) => {
        const prompt = await manager.save(manager.create(PromptEntity, values));
        const created = await this.insertVersion(manager, prompt, version, 1, null);
        return { prompt, version: created };
      });
    } catch (err) {
      if (uniqueViolation(err) === 'uq_prompts_project_name') throw duplicateName(values.name);
      throw err;
    }
  }

  /**
   * Appends a version and (unless `makeCurrent` is false) makes it current. The prompt row is
   * locked so concurrent updates get consecutive version numbers instead of colliding.
   */
  async addVersion(
    promptId: number,
    version: NewVersion,
    makeCurrent = true,
  ): Promise<PromptWithVersion> {
    return this.dataSource.transaction(async (manager) => {
      const prompt = await manager
        .createQueryBuilder(PromptEntity, 'p')
        .setLock('pessimistic_write')
        .where('p.id = :promptId', { promptId })
        .getOneOrFail();
      const [{ max }] = await manager.query<[{ max: string | number }]>(
        'SELECT coalesce(max(version_number), 0) AS max FROM prompt_versions WHERE prompt_id = $1',
        [promptId],
      );
      const created = await this.insertVersion(
        manager,
        prompt,
        version,
        Number(max) + 1,
        prompt.currentVersionId,
        makeCurrent,
      );
      return { prompt, version: created };
    });
  }

  private async insertVersion(
    manager: EntityManager,
    prompt: PromptEntity,
    version: NewVersion,
    versionNumber: number,
    parentVersionId: number | null,
    makeCurrent = true,
  ): Promise<PromptVersionEntity> {
    const created = await manager.save(
      manager.create(PromptVersionEntity, {
        ...version,
        optimizationId: version.optimizationId ?? null,
        promptId: prompt.id,
        versionNumber,
        parentVersionId,
      }),
    );
    if (!makeCurrent) return created;
    prompt.currentVersionId = created.id;
    await manager.update(PromptEntity, { id: prompt.id }, { currentVersionId: created.id });
    return created;
  }

  async findLive(workspaceId: number, id: number): Promise<PromptEntity | null> {
    return this.prompts
      .createQueryBuilder('pr')
      .innerJoin('projects', 'p', 'p.id = pr.project_id AND p.deleted_at IS NULL')
      .where('pr.id = :id AND p.workspace_id = :workspaceId', { id, workspaceId })
      .getOne();
  }

  async findAny(workspaceId: number, id: number): Promise<PromptEntity | null> {
    return this.prompts
      .createQueryBuilder('pr')
      .withDeleted()
      .innerJoin('projects', 'p', 'p.id = pr.project_id AND p.deleted_at IS NULL')
      .where('pr.id = :id AND p.workspace_id = :workspaceId', { id, workspaceId })
      .getOne();
  }

  async findVersionById(id: number): Promise<PromptVersionEntity | null> {
    return this.versions.findOneBy({ id });
  }

  /** Prompt id and number of each version, in one query (lists show them per row). */
  async versionRefs(
    ids: readonly number[],
  ): Promise<Map<number, { promptId: number; versionNumber: number }>> {
    const unique = [...new Set(ids)];
    if (unique.length === 0) return new Map();
    const rows = await this.dataSource.query<
      { id: string; prompt_id: string; version_number: number }[]
    >('SELECT id, prompt_id, version_number FROM prompt_versions WHERE id = ANY($1::bigint[])', [
      unique,
    ]);
    return new Map(
      rows.map((r) => [
        Number(r.id),
        { promptId: Number(r.prompt_id), versionNumber: Number(r.version_number) },
      ]),
    );
  }

  async findVersion(promptId: number, versionNumber: number) {
    return this.versions.findOneBy({ promptId, versionNumber });
  }

  async list(
    projectId: number,
    filter: {
      search?: string;
      signatureId?: number;
      sort: { field: 'name' | 'created_at' | 'updated_at'; direction: 'ASC' | 'DESC' };
    },
    page: PageRequest,
  ): Promise<{ rows: PromptWithVersion[]; total: number }> {
    const qb = this.prompts
      .createQueryBuilder('pr')
      .where('pr.project_id = :projectId', { projectId });
    if (filter.search) {
      qb.andWhere(
        "(pr.name ILIKE :pattern ESCAPE '\\' OR pr.description ILIKE :pattern ESCAPE '\\')",
        {
          pattern: likePattern(filter.search),
        },
      );
    }
    if (filter.signatureId) {
      qb.andWhere('pr.signature_id = :signatureId', { signatureId: filter.signatureId });
    }
    // Names sort case-insensitively: under the C collation 'Zed' would come before 'alpha'.
    const column = {
      name: 'lower(pr.name)',
      created_at: 'pr.created_at',
      updated_at: 'pr.updated_at',
    };
    qb.orderBy(column[filter.sort.field], filter.sort.direction)
      .addOrderBy('pr.id', filter.sort.direction)
      .skip(pageOffset(page))
      .take(page.perPage);
    const [prompts, total] = await qb.getManyAndCount();
    const ids = prompts.map((p) => p.currentVersionId).filter((id): id is number => id !== null);
    const versions = ids.length
      ? await this.versions.createQueryBuilder('v').where('v.id IN (:...ids)', { ids }).getMany()
      : [];
    const byId = new Map(versions.map((v) => [v.id, v]));
    const rows = prompts.flatMap((prompt) => {
      const version = prompt.currentVersionId ? byId.get(prompt.currentVersionId) : undefined;
      return version ? [{ prompt, version }] : [];
    });
    return { rows, total };
  }

  async listVersions(promptId: number, page: PageRequest, order: 'ASC' | 'DESC') {
    const [rows, total] = await this.versions.findAndCount({
      where: { promptId },
      order: { versionNumber: order },
      skip: pageOffset(page),
      take: page.perPage,
    });
    return { rows, total };
  }

  /**
   * Writes only the columns in `changes`. A save() of the whole loaded entity would also write
   * back its (possibly stale) current_version_id, undoing a version added concurrently.
   */
  async update(
    prompt: PromptEntity,
    changes: Partial<Pick<PromptEntity, 'name' | 'description' | 'signatureId'>>,
  ): Promise<PromptEntity> {
    try {
      if (Object.keys(changes).length) await this.prompts.update({ id: prompt.id }, changes);
      return await this.prompts.findOneByOrFail({ id: prompt.id });
    } catch (err) {
      if (uniqueViolation(err) === 'uq_prompts_project_name') {
        throw duplicateName(changes.name ?? prompt.name);
      }
      throw err;
    }
  }

  async softDelete(id: number): Promise<void> {
    await this.prompts.softDelete({ id });
  }

  async hardDelete(id: number): Promise<void> {
    // Versions cascade with the prompt; the prompt's pointer to its current version must go first.
    await this.dataSource.transaction(async (manager) => {
      await manager.update(PromptEntity, { id }, { currentVersionId: null });
      await manager.delete(PromptEntity, { id });
    });
  }
}

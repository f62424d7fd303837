import { Injectable } from '@nestjs/common';
import { ConflictError, type PageRequest, pageOffset } from '@ps/common';
import { DataSource, type QueryDeepPartialEntity } from 'typeorm';
import { ProjectEntity, type ProjectStatus } from '../entities/project.entity';
import { likePattern, uniqueViolation } from './database-errors';

export interface ProjectListFilter {
  search?: string;
  status?: ProjectStatus;
  tag?: string;
  sort: { field: 'name' | 'created_at' | 'updated_at'; direction: 'ASC' | 'DESC' };
}

export interface ProjectStats {
  signatures: number;
  prompts: number;
  prompt_versions: number;
  test_cases: number;
  golden_test_cases: number;
  evaluations: number;
  completed_evaluations: number;
  optimizations: number;
  last_evaluation_at: Date | null;
}

/**
 * Ids come from request bodies and query strings as JS numbers; one outside the safe integer
 * range (e.g. `1e20`) can name no row and would make PostgreSQL fail with "out of range for type
 * bigint", so it is answered as "not found" without a query.
 */
export function isStorableId(id: number): boolean {
  return Number.isSafeInteger(id) && id >= 1;
}

const SORT_COLUMNS = { name: 'p.name', created_at: 'p.created_at', updated_at: 'p.updated_at' };

function duplicateName(name: string): ConflictError {
  return new ConflictError(`A project named "${name}" already exists in this workspace.`, [
    { field: 'name', message: `A project named "${name}" already exists.` },
  ]);
}

@Injectable()
export class ProjectsRepository {
  constructor(private readonly dataSource: DataSource) {}

  private get repo() {
    return this.dataSource.getRepository(ProjectEntity);
  }

  async create(values: Partial<ProjectEntity> & { workspaceId: number; name: string }) {
    try {
      return await this.repo.save(this.repo.create(values));
    } catch (err) {
      if (uniqueViolation(err) === 'uq_projects_workspace_name') throw duplicateName(values.name);
      throw err;
    }
  }

  /** A live (not soft-deleted) project of the workspace, or null. */
  async findLive(workspaceId: number, id: number): Promise<ProjectEntity | null> {
    if (!isStorableId(id)) return null;
    return this.repo.findOneBy({ id, workspaceId });
  }

  /** Any project of the workspace, soft-deleted ones included. */
  async findAny(workspaceId: number, id: number): Promise<ProjectEntity | null> {
    if (!isStorableId(id)) return null;
    return this.repo.findOne({ where: { id, workspaceId }, withDeleted: true });
  }

  async list(workspaceId: number, filter: ProjectListFilter, page: PageRequest) {
    const qb = this.repo
      .createQueryBuilder('p')
      .where('p.workspace_id = :workspaceId', { workspaceId });
    if (filter.search) {
      qb.andWhere(
        "(p.name ILIKE :pattern ESCAPE '\\' OR p.description ILIKE :pattern ESCAPE '\\')",
        {
          pattern: likePattern(filter.search),
        },
      );
    }
    if (filter.status) qb.andWhere('p.status = :status', { status: filter.status });
    if (filter.tag) qb.andWhere(':tag = ANY(p.tags)', { tag: filter.tag });
    qb.orderBy(SORT_COLUMNS[filter.sort.field], filter.sort.direction)
      .addOrderBy('p.id', filter.sort.direction)
      .skip(pageOffset(page))
      .take(page.perPage);
    const [rows, total] = await qb.getManyAndCount();
    return { rows, total };
  }

  /** Writes only the changed columns, so concurrent updates of other fields are kept. */
  async update(project: ProjectEntity, changes: Partial<ProjectEntity>): Promise<ProjectEntity> {
    try {
      if (Object.keys(changes).length) {
        // jsonb columns take any JSON value; TypeORM's deep-partial type does not model that.
        await this.repo.update(
          { id: project.id },
          changes as QueryDeepPartialEntity<ProjectEntity>,
        );
      }
      return await this.repo.findOneByOrFail({ id: project.id });
    } catch (err) {
      if (uniqueViolation(err) === 'uq_projects_workspace_name') {
        throw duplicateName(changes.name ?? project.name);
      }
      throw err;
    }
  }

  async softDelete(id: number): Promise<void> {
    await this.repo.softDelete({ id });
  }

  /** Removes the project and, by cascade, everything under it. */
  async hardDelete(id: number): Promise<void> {
    await this.repo.delete({ id });
  }

  async stats(projectId: number): Promise<ProjectStats> {
    const [row] = await this.dataSource.query<Record<string, string | number | Date | null>[]>(
      `SELECT
         (SELECT count(*) FROM signatures s WHERE s.project_id = $1 AND s.deleted_at IS NULL) AS signatures,
         (SELECT count(*) FROM prompts p WHERE p.project_id = $1 AND p.deleted_at IS NULL) AS prompts,
         (SELECT count(*) FROM prompt_versions v JOIN prompts p ON p.id = v.prompt_id
            WHERE p.project_id = $1 AND p.deleted_at IS NULL) AS prompt_versions,
         (SELECT count(*) FROM test_cases t WHERE t.project_id = $1 AND t.deleted_at IS NULL) AS test_cases,
         (SELECT count(*) FROM test_cases t WHERE t.project_id = $1 AND t.deleted_at IS NULL
            AND t.is_golden) AS golden_test_cases,
         (SELECT count(*) FROM evaluations e WHERE e.project_id = $1) AS evaluations,
         (SELECT count(*) FROM evaluations e WHERE e.project_id = $1
            AND e.status = 'completed') AS completed_evaluations,
         (SELECT count(*) FROM optimizations o WHERE o.project_id = $1) AS optimizations,
         (SELECT max(e.created_at) FROM evaluations e WHERE e.project_id = $1) AS last_evaluation_at`,
      [projectId],
    );
    const n = (key: string) => Number(row?.[key] ?? 0);
    return {
      signatures: n('signatures'),
      prompts: n('prompts'),
      prompt_versions: n('prompt_versions'),
      test_cases: n('test_cases'),
      golden_test_cases: n('golden_test_cases'),
      evaluations: n('evaluations'),
      completed_evaluations: n('completed_evaluations'),
      optimizations: n('optimizations'),
      last_evaluation_at: (row?.last_evaluation_at as Date | null) ?? null,
    };
  }
}

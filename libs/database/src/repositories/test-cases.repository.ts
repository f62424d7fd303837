import { Injectable } from '@nestjs/common';
import { ConflictError, LimitExceededError, type PageRequest, pageOffset } from '@ps/common';
import { DataSource, type EntityManager, type QueryDeepPartialEntity } from 'typeorm';
import { TestCaseEntity } from '../entities/test-case.entity';
import { likePattern, uniqueViolation } from './database-errors';

export type NewTestCase = Pick<
  TestCaseEntity,
  | 'signatureId'
  | 'name'
  | 'description'
  | 'inputs'
  | 'expectedOutputs'
  | 'tags'
  | 'isGolden'
  | 'isGenerated'
>;

export interface TestCaseListFilter {
  search?: string;
  isGolden?: boolean;
  tags?: string[];
  signatureId?: number;
  sort: { field: 'name' | 'created_at' | 'updated_at'; direction: 'ASC' | 'DESC' };
}

/** Which cases an export writes. */
export interface TestCaseExportFilter {
  goldenOnly?: boolean;
  /** Cases carrying all of these tags. */
  tags?: string[];
  signatureId?: number;
}

/**
 * One import, inside one transaction holding the project's row lock: nothing is visible to
 * others until it commits, and a failure part-way (an unreadable file, an upload over the limit,
 * an atomic import with a rejected row) leaves the project as it was.
 */
export interface TestCaseImportSession {
  /** How many more live cases the project may hold. */
  remaining(): number;
  /** Which of these lower-cased names live cases of the project already have. */
  takenNames(lowerNames: string[]): Promise<Set<string>>;
  /** Inserts the cases in order and returns their ids in the same order. */
  insert(cases: NewTestCase[]): Promise<number[]>;
}

/** Rows per INSERT statement of an import (9 parameters each, far below PostgreSQL's 65,535). */
const IMPORT_INSERT_CHUNK = 500;

@Injectable()
export class TestCasesRepository {
  constructor(private readonly dataSource: DataSource) {}

  private get repo() {
    return this.dataSource.getRepository(TestCaseEntity);
  }

  /**
   * Inserts test cases all or nothing. The project row is locked first, so concurrent inserts
   * cannot together push the project past its limit, and names are checked case-insensitively
   * against live cases. `fieldOf(i)` names item i in errors (`test_cases.3`, giving
   * `test_cases.3.name`; '' for a single create, giving `name`); `fieldOf(-1)` names the field a
   * limit error points at.
   */
  async createMany(
    projectId: number,
    cases: NewTestCase[],
    limit: number,
    fieldOf: (index: number) => string,
  ): Promise<TestCaseEntity[]> {
    try {
      return await this.dataSource.transaction(async (manager) => {
        await manager.query('SELECT id FROM projects WHERE id = $1 FOR UPDATE', [projectId]);
        const [{ count }] = await manager.query<[{ count: string | number }]>(
          'SELECT count(*) AS count FROM test_cases WHERE project_id = $1 AND deleted_at IS NULL',
          [projectId],
        );
        const existing = Number(count);
        if (existing + cases.length > limit) {
          throw new LimitExceededError(
            `A project holds at most ${limit} test cases; it has ${existing} and this request ` +
              `adds ${cases.length}.`,
            [{ field: fieldOf(-1), message: `at most ${limit - existing} more test cases fit.` }],
            { limit, existing, requested: cases.length },
          );
        }
        const lowered = cases.map((c) => c.name.toLowerCase());
        const taken = await manager.query<{ name: string }[]>(
          `SELECT lower(name) AS name FROM test_cases
           WHERE project_id = $1 AND deleted_at IS NULL AND lower(name) = ANY($2::text[])`,
          [projectId, lowered],
        );
        if (taken.length > 0) {
          const names = new Set(taken.map((t) => t.name));
          throw new ConflictError(
            `Test case names must be unique in a project; ${taken.length} already exist.`,
            cases
              .map((c, i) => ({ c, i }))
              .filter(({ c }) => names.has(c.name.toLowerCase()))
              .map(({ c, i }) => ({
                field: fieldOf(i) ? `${fieldOf(i)}.name` : 'name',
                message: `A test case named "${c.name}" already exists.`,
              })),
          );
        }
        const rows = cases.map((c) => manager.create(TestCaseEntity, { ...c, projectId }));
        // Chunked so a 1,000-case bulk insert stays within parameter limits.
        const saved: TestCaseEntity[] = [];
        for (let i = 0; i < rows.length; i += 200) {
          saved.push(...(await manager.save(rows.slice(i, i + 200))));
        }
        return saved;
      });
    } catch (err) {
      if (uniqueViolation(err) === 'uq_test_cases_project_name') {
        throw new ConflictError('A test case with one of these names was created concurrently.');
      }
      throw err;
    }
  }

  /**
   * Runs an import in one transaction with the project row locked (see TestCaseImportSession).
   * `work` throwing rolls every insert back.
   */
  async importInto<T>(
    projectId: number,
    limit: number,
    work: (session: TestCaseImportSession) => Promise<T>,
  ): Promise<T> {
    try {
      return await this.dataSource.transaction(async (manager) => {
        await manager.query('SELECT id FROM projects WHERE id = $1 FOR UPDATE', [projectId]);
        const [{ count }] = await manager.query<[{ count: string | number }]>(
          'SELECT count(*) AS count FROM test_cases WHERE project_id = $1 AND deleted_at IS NULL',
          [projectId],
        );
        let live = Number(count);
        return work({
          remaining: () => Math.max(0, limit - live),
          takenNames: async (lowerNames) => {
            if (!lowerNames.length) return new Set();
            const taken = await manager.query<{ name: string }[]>(
              `SELECT lower(name) AS name FROM test_cases
               WHERE project_id = $1 AND deleted_at IS NULL AND lower(name) = ANY($2::text[])`,
              [projectId, lowerNames],
            );
            return new Set(taken.map((t) => t.name));
          },
          insert: async (cases) => {
            const ids = await this.insertChunked(manager, projectId, cases);
            live += ids.length;
            return ids;
          },
        });
      });
    } catch (err) {
      if (uniqueViolation(err) === 'uq_test_cases_project_name') {
        throw new ConflictError('A test case with one of these names was created concurrently.');
      }
      throw err;
    }
  }

  private async insertChunked(
    manager: EntityManager,
    projectId: number,
    cases: NewTestCase[],
  ): Promise<number[]> {
    const ids: number[] = [];
    for (let i = 0; i < cases.length; i += IMPORT_INSERT_CHUNK) {
      const chunk = cases.slice(i, i + IMPORT_INSERT_CHUNK);
      const result = await manager
        .createQueryBuilder()
        .insert()
        .into(TestCaseEntity)
        // jsonb columns take any JSON value; TypeORM's deep-partial type does not model that.
        .values(chunk.map((c) => ({ ...c, projectId }) as QueryDeepPartialEntity<TestCaseEntity>))
        .returning('id')
        .updateEntity(false)
        .execute();
      ids.push(...(result.raw as { id: string | number }[]).map((r) => Number(r.id)));
    }
    return ids;
  }

  private exportQuery(projectId: number, filter: TestCaseExportFilter) {
    const qb = this.repo.createQueryBuilder('t').where('t.project_id = :projectId', { projectId });
    if (filter.goldenOnly) qb.andWhere('t.is_golden = true');
    if (filter.tags?.length) qb.andWhere('t.tags @> :tags::text[]', { tags: filter.tags });
    if (filter.signatureId) {
      qb.andWhere('t.signature_id = :signatureId', { signatureId: filter.signatureId });
    }
    return qb;
  }

  /** How many live cases an export writes, and the input and expected keys they use (sorted). */
  async exportShape(
    projectId: number,
    filter: TestCaseExportFilter,
  ): Promise<{ count: number; inputKeys: string[]; expectedKeys: string[] }> {
    const keysOf = async (column: 'inputs' | 'expected_outputs') => {
      const [sql, params] = this.exportQuery(projectId, filter)
        .select(`DISTINCT jsonb_object_keys(t.${column})`, 'key')
        .getQueryAndParameters();
      const rows = await this.dataSource.query<{ key: string }[]>(sql, params);
      return rows.map((r) => r.key).sort();
    };
    return {
      count: await this.exportQuery(projectId, filter).getCount(),
      inputKeys: await keysOf('inputs'),
      expectedKeys: await keysOf('expected_outputs'),
    };
  }

  /** The next `limit` live cases of an export after id `afterId`, in id order (keyset paging). */
  async exportPage(
    projectId: number,
    filter: TestCaseExportFilter,
    afterId: number,
    limit: number,
  ): Promise<TestCaseEntity[]> {
    return this.exportQuery(projectId, filter)
      .andWhere('t.id > :afterId', { afterId })
      .orderBy('t.id', 'ASC')
      .take(limit)
      .getMany();
  }

  async findLive(workspaceId: number, id: number): Promise<TestCaseEntity | null> {
    return this.repo
      .createQueryBuilder('t')
      .innerJoin('projects', 'p', 'p.id = t.project_id AND p.deleted_at IS NULL')
      .where('t.id = :id AND p.workspace_id = :workspaceId', { id, workspaceId })
      .getOne();
  }

  async findAny(workspaceId: number, id: number): Promise<TestCaseEntity | null> {
    return this.repo
      .createQueryBuilder('t')
      .withDeleted()
      .innerJoin('projects', 'p', 'p.id = t.project_id AND p.deleted_at IS NULL')
      .where('t.id = :id AND p.workspace_id = :workspaceId', { id, workspaceId })
      .getOne();
  }

  async list(projectId: number, filter: TestCaseListFilter, page: PageRequest) {
    const qb = this.repo.createQueryBuilder('t').where('t.project_id = :projectId', { projectId });
    if (filter.search) {
      qb.andWhere(
        "(t.name ILIKE :pattern ESCAPE '\\' OR t.description ILIKE :pattern ESCAPE '\\')",
        {
          pattern: likePattern(filter.search),
        },
      );
    }
    if (filter.isGolden !== undefined)
      qb.andWhere('t.is_golden = :golden', { golden: filter.isGolden });
    if (filter.tags?.length) qb.andWhere('t.tags @> :tags::text[]', { tags: filter.tags });
    if (filter.signatureId) {
      qb.andWhere('t.signature_id = :signatureId', { signatureId: filter.signatureId });
    }
    // Names sort case-insensitively: under the C collation 'Zed' would come before 'alpha'.
    const column = {
      name: 'lower(t.name)',
      created_at: 't.created_at',
      updated_at: 't.updated_at',
    };
    qb.orderBy(column[filter.sort.field], filter.sort.direction)
      .addOrderBy('t.id', filter.sort.direction)
      .skip(pageOffset(page))
      .take(page.perPage);
    const [rows, total] = await qb.getManyAndCount();
    return { rows, total };
  }

  /**
   * Writes only the columns in `changes`, so concurrent updates of different fields do not undo
   * each other (a save() of the whole loaded entity writes back every stale column).
   */
  async update(
    testCase: TestCaseEntity,
    changes: Partial<
      Pick<
        TestCaseEntity,
        'name' | 'description' | 'inputs' | 'expectedOutputs' | 'tags' | 'isGolden' | 'signatureId'
      >
    >,
  ) {
    try {
      if (Object.keys(changes).length) {
        // jsonb columns take any JSON value; TypeORM's deep-partial type does not model that.
        await this.repo.update(
          { id: testCase.id },
          changes as QueryDeepPartialEntity<TestCaseEntity>,
        );
      }
      return await this.repo.findOneByOrFail({ id: testCase.id });
    } catch (err) {
      if (uniqueViolation(err) === 'uq_test_cases_project_name') {
        const name = changes.name ?? testCase.name;
        throw new ConflictError(`A test case named "${name}" already exists in this project.`, [
          { field: 'name', message: `A test case named "${name}" already exists.` },
        ]);
      }
      throw err;
    }
  }

  async softDelete(id: number): Promise<void> {
    await this.repo.softDelete({ id });
  }

  async hardDelete(id: number): Promise<void> {
    await this.repo.delete({ id });
  }
}

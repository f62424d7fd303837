import { Injectable } from '@nestjs/common';
import { type PageRequest, pageOffset } from '@ps/common';
import { DataSource, In, IsNull, type QueryDeepPartialEntity } from 'typeorm';
import { EvaluationResultEntity, type ResultStatus } from '../entities/evaluation-result.entity';
import { EvaluationEntity, type RunStatus } from '../entities/evaluation.entity';
import { TestCaseEntity } from '../entities/test-case.entity';
import { markRunStarted } from './run-start';

export type NewEvaluation = Pick<
  EvaluationEntity,
  'projectId' | 'promptVersionId' | 'name' | 'testCaseIds' | 'modelConfig' | 'metricsConfig'
>;

export type NewEvaluationResult = Omit<
  EvaluationResultEntity,
  'id' | 'uuid' | 'evaluation' | 'testCase' | 'createdAt'
>;

/** What a run's summary reads of a stored result. */
export type ResultOutcome = Pick<
  EvaluationResultEntity,
  | 'testCaseId'
  | 'repeatIndex'
  | 'status'
  | 'output'
  | 'scores'
  | 'aggregateScore'
  | 'passed'
  | 'tokensIn'
  | 'tokensOut'
  | 'cost'
  | 'latencyMs'
  | 'cached'
>;

/** A test case as a run reads it. */
export interface CaseInputs {
  id: number;
  inputs: Record<string, unknown>;
  expectedOutputs: Record<string, unknown>;
}

export interface ResultFilter {
  passed?: boolean;
  status?: ResultStatus;
}

export interface EvaluationListFilter {
  projectId?: number;
  promptId?: number;
  status?: RunStatus;
}

/** Evaluation runs and their per-case results. Result writes are idempotent per (case, repeat). */
@Injectable()
export class EvaluationsRepository {
  constructor(private readonly dataSource: DataSource) {}

  private get evaluations() {
    return this.dataSource.getRepository(EvaluationEntity);
  }

  private get results() {
    return this.dataSource.getRepository(EvaluationResultEntity);
  }

  async create(values: NewEvaluation): Promise<EvaluationEntity> {
    return this.evaluations.save(
      this.evaluations.create({
        ...values,
        status: 'pending',
        progress: 0,
        totalTokens: 0,
        totalCost: 0,
      } as QueryDeepPartialEntity<EvaluationEntity> as EvaluationEntity),
    );
  }

  findById(id: number): Promise<EvaluationEntity | null> {
    return this.evaluations.findOneBy({ id });
  }

  /** An evaluation of a live project of the workspace. */
  async findInWorkspace(workspaceId: number, id: number): Promise<EvaluationEntity | null> {
    return this.evaluations
      .createQueryBuilder('e')
      .innerJoin('e.project', 'p', 'p.deleted_at IS NULL AND p.workspace_id = :workspaceId', {
        workspaceId,
      })
      .where('e.id = :id', { id })
      .getOne();
  }

  async list(workspaceId: number, filter: EvaluationListFilter, page: PageRequest) {
    const qb = this.evaluations
      .createQueryBuilder('e')
      .innerJoin('e.project', 'p', 'p.deleted_at IS NULL AND p.workspace_id = :workspaceId', {
        workspaceId,
      });
    if (filter.projectId !== undefined)
      qb.andWhere('e.project_id = :pid', { pid: filter.projectId });
    if (filter.status) qb.andWhere('e.status = :status', { status: filter.status });
    if (filter.promptId !== undefined) {
      qb.innerJoin('e.promptVersion', 'v').andWhere('v.prompt_id = :promptId', {
        promptId: filter.promptId,
      });
    }
    // offset/limit, not skip/take: the joins only filter (one project and one version per run),
    // so rows cannot repeat, and skip/take would add a DISTINCT-ids query to every page.
    const [rows, total] = await qb
      .orderBy('e.created_at', 'DESC')
      .addOrderBy('e.id', 'DESC')
      .offset(pageOffset(page))
      .limit(page.perPage)
      .getManyAndCount();
    return { rows, total };
  }

  /** pending/running → running; returns false when the run already ended (nothing to do). */
  async markRunning(id: number): Promise<boolean> {
    return markRunStarted(this.evaluations, id);
  }

  async setProgress(id: number, progress: number): Promise<void> {
    await this.evaluations.update({ id, status: 'running' }, { progress });
  }

  async finish(
    id: number,
    status: Extract<RunStatus, 'completed' | 'failed' | 'cancelled'>,
    values: {
      summary?: Record<string, unknown> | null;
      totalTokens?: number;
      totalCost?: number;
      error?: string | null;
    },
  ): Promise<boolean> {
    const result = await this.evaluations
      .createQueryBuilder()
      .update()
      .set({
        status,
        ...(status === 'completed' ? { progress: 100 } : {}),
        ...values,
        completedAt: () => 'now()',
      } as QueryDeepPartialEntity<EvaluationEntity>)
      .where('id = :id AND status IN (:...open)', { id, open: ['pending', 'running'] })
      .execute();
    return (result.affected ?? 0) > 0;
  }

  /** Live test cases of a project among `ids`, in id order. */
  testCases(projectId: number, ids: number[]): Promise<TestCaseEntity[]> {
    if (ids.length === 0) return Promise.resolve([]);
    return this.dataSource
      .getRepository(TestCaseEntity)
      .find({ where: { projectId, id: In(ids), deletedAt: IsNull() }, order: { id: 'ASC' } });
  }

  /**
   * What a run reads of its cases, for the live ones among `ids`, in id order: plain rows of id,
   * inputs and expected outputs (a run reads every case it scores, so no entity is built).
   */
  async caseInputs(projectId: number, ids: number[]): Promise<CaseInputs[]> {
    if (ids.length === 0) return [];
    const rows = await this.dataSource.query<
      { id: string; inputs: Record<string, unknown>; expected_outputs: Record<string, unknown> }[]
    >(
      `SELECT id, inputs, expected_outputs FROM test_cases
        WHERE project_id = $1 AND id = ANY($2::bigint[]) AND deleted_at IS NULL
        ORDER BY id`,
      [projectId, ids],
    );
    return rows.map((r) => ({
      id: Number(r.id),
      inputs: r.inputs,
      expectedOutputs: r.expected_outputs,
    }));
  }

  /**
   * How many of the cases lack a template variable: `paths` are dotted variable paths
   * (`doc.title`); a case lacks one when its inputs have no such key (a JSON null counts as
   * present, as the renderer reads it).
   */
  async countMissingInputs(projectId: number, ids: number[], paths: string[]): Promise<number> {
    if (ids.length === 0 || paths.length === 0) return 0;
    const params: unknown[] = [projectId, ids];
    const present = paths.map((path) => {
      params.push(path.split('.'));
      return `inputs #> $${params.length}::text[] IS NOT NULL`;
    });
    const [row] = await this.dataSource.query<[{ count: string }]>(
      `SELECT count(*) AS count FROM test_cases
        WHERE project_id = $1 AND id = ANY($2::bigint[]) AND NOT (${present.join(' AND ')})`,
      params,
    );
    return Number(row.count);
  }

  /** Ids of live test cases of a project matching a selection, in id order. */
  async selectTestCaseIds(
    projectId: number,
    filter: { ids?: number[]; goldenOnly?: boolean; tags?: string[] },
  ): Promise<number[]> {
    const where = ['project_id = $1', 'deleted_at IS NULL'];
    const params: unknown[] = [projectId];
    if (filter.ids) {
      params.push(filter.ids);
      where.push(`id = ANY($${params.length}::bigint[])`);
    }
    if (filter.goldenOnly) where.push('is_golden');
    if (filter.tags?.length) {
      params.push(filter.tags);
      where.push(`tags && $${params.length}::text[]`);
    }
    const rows = await this.dataSource.query<{ id: string }[]>(
      `SELECT id FROM test_cases WHERE ${where.join(' AND ')} ORDER BY id`,
      params,
    );
    return rows.map((r) => Number(r.id));
  }

  /** `testCaseId:repeatIndex` of the results already written among these cases. */
  async doneKeys(evaluationId: number, testCaseIds: number[]): Promise<Set<string>> {
    if (testCaseIds.length === 0) return new Set();
    const rows = await this.dataSource.query<{ test_case_id: string; repeat_index: number }[]>(
      `SELECT test_case_id, repeat_index FROM evaluation_results
        WHERE evaluation_id = $1 AND test_case_id = ANY($2::bigint[])`,
      [evaluationId, testCaseIds],
    );
    return new Set(rows.map((r) => `${r.test_case_id}:${r.repeat_index}`));
  }

  /**
   * Writes a batch of results in one statement; rows whose (case, repeat) already exists are
   * skipped, so a rerun never double-counts. Returns how many rows were new.
   */
  async insertResults(rows: NewEvaluationResult[]): Promise<number> {
    if (rows.length === 0) return 0;
    const params: unknown[] = [];
    const tuples = rows.map((r) => {
      const values = [
        r.evaluationId,
        r.testCaseId,
        r.repeatIndex,
        r.output,
        r.parsedOutput === null || r.parsedOutput === undefined
          ? null
          : JSON.stringify(r.parsedOutput),
        JSON.stringify(r.scores),
        r.aggregateScore,
        r.passed,
        r.status,
        r.error,
        r.latencyMs,
        r.tokensIn,
        r.tokensOut,
        r.cost,
        r.cached,
        r.details === null || r.details === undefined ? null : JSON.stringify(r.details),
      ];
      const start = params.length;
      params.push(...values);
      const p = (i: number) => `$${start + i + 1}`;
      return `(${p(0)}, ${p(1)}, ${p(2)}, ${p(3)}, ${p(4)}::jsonb, ${p(5)}::jsonb, ${p(6)}, ${p(7)}, ${p(8)}, ${p(9)}, ${p(10)}, ${p(11)}, ${p(12)}, ${p(13)}, ${p(14)}, ${p(15)}::jsonb)`;
    });
    const inserted = await this.dataSource.query<{ id: string }[]>(
      `INSERT INTO evaluation_results (evaluation_id, test_case_id, repeat_index, output,
         parsed_output, scores, aggregate_score, passed, status, error, latency_ms, tokens_in,
         tokens_out, cost, cached, details)
       VALUES ${tuples.join(', ')}
       ON CONFLICT ON CONSTRAINT uq_evaluation_results_case DO NOTHING
       RETURNING id`,
      params,
    );
    return inserted.length;
  }

  countResults(evaluationId: number): Promise<number> {
    return this.results.countBy({ evaluationId });
  }

  /**
   * What a run's summary reads of each of its results, in (test case, repeat) order, a page at
   * a time: plain rows of the scoring columns, no entity built per row.
   */
  streamOutcomes(evaluationId: number, pageSize = 1000): AsyncGenerator<ResultOutcome[]> {
    return resultPages(pageSize, async ([tc, rep]) => {
      const rows = await this.dataSource.query<
        {
          test_case_id: string | number | bigint;
          repeat_index: number;
          status: ResultOutcome['status'];
          output: string | null;
          scores: Record<string, number | null>;
          aggregate_score: number | null;
          passed: boolean | null;
          tokens_in: number;
          tokens_out: number;
          cost: number;
          latency_ms: number | null;
          cached: boolean;
        }[]
      >(
        `SELECT test_case_id, repeat_index, status, output, scores, aggregate_score, passed,
                tokens_in, tokens_out, cost::float8 AS cost, latency_ms, cached
           FROM evaluation_results
          WHERE evaluation_id = $1 AND (test_case_id, repeat_index) > ($2, $3)
          ORDER BY test_case_id, repeat_index
          LIMIT $4`,
        [evaluationId, tc, rep, pageSize],
      );
      return rows.map((r): ResultOutcome => ({
        testCaseId: Number(r.test_case_id),
        repeatIndex: r.repeat_index,
        status: r.status,
        output: r.output,
        scores: r.scores,
        aggregateScore: r.aggregate_score,
        passed: r.passed,
        tokensIn: r.tokens_in,
        tokensOut: r.tokens_out,
        cost: r.cost,
        latencyMs: r.latency_ms,
        cached: r.cached,
      }));
    });
  }

  /** Every result of a run in (test case, repeat) order, a page at a time. */
  streamResults(evaluationId: number, pageSize = 1000): AsyncGenerator<EvaluationResultEntity[]> {
    return resultPages(pageSize, ([tc, rep]) =>
      this.results
        .createQueryBuilder('r')
        .where('r.evaluation_id = :evaluationId', { evaluationId })
        .andWhere('(r.test_case_id, r.repeat_index) > (:tc, :rep)', { tc, rep })
        .orderBy('r.test_case_id', 'ASC')
        .addOrderBy('r.repeat_index', 'ASC')
        .take(pageSize)
        .getMany(),
    );
  }

  async listResults(
    evaluationId: number,
    filter: ResultFilter,
    page: PageRequest,
    order: 'case' | 'score' = 'case',
  ) {
    const qb = this.results
      .createQueryBuilder('r')
      .where('r.evaluation_id = :evaluationId', { evaluationId });
    if (filter.passed !== undefined) qb.andWhere('r.passed = :passed', { passed: filter.passed });
    if (filter.status) qb.andWhere('r.status = :status', { status: filter.status });
    if (order === 'score') {
      // Worst first: failures of other statuses, then the lowest scores.
      qb.orderBy(`CASE WHEN r.status = 'ok' THEN 1 ELSE 0 END`, 'ASC').addOrderBy(
        'r.aggregate_score',
        'ASC',
        'NULLS FIRST',
      );
    } else {
      qb.orderBy('r.test_case_id', 'ASC').addOrderBy('r.repeat_index', 'ASC');
    }
    const [rows, total] = await qb.skip(pageOffset(page)).take(page.perPage).getManyAndCount();
    return { rows, total };
  }

  /** Names of test cases by id (for reports). */
  async testCaseNames(
    ids: number[],
  ): Promise<
    Map<
      number,
      { name: string; inputs: Record<string, unknown>; expected: Record<string, unknown> }
    >
  > {
    if (ids.length === 0) return new Map();
    const rows = await this.dataSource.getRepository(TestCaseEntity).find({
      where: { id: In(ids) },
      select: { id: true, name: true, inputs: true, expectedOutputs: true },
    });
    return new Map(
      rows.map((r) => [r.id, { name: r.name, inputs: r.inputs, expected: r.expectedOutputs }]),
    );
  }
}

/**
 * Keyset pagination over a run's results in (test case, repeat) order: `page` reads at most
 * `pageSize` rows after the given key.
 */
async function* resultPages<T extends { testCaseId: number; repeatIndex: number }>(
  pageSize: number,
  page: (after: [number, number]) => Promise<T[]>,
): AsyncGenerator<T[]> {
  let after: [number, number] = [0, -1];
  for (;;) {
    const rows = await page(after);
    if (rows.length === 0) return;
    yield rows;
    const last = rows[rows.length - 1];
    after = [last.testCaseId, last.repeatIndex];
    if (rows.length < pageSize) return;
  }
}

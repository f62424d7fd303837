import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { isStorableId } from './projects.repository';

export const SCOPED_ENTITY_TYPES = ['project', 'evaluation', 'optimization', 'job'] as const;
export type ScopedEntityType = (typeof SCOPED_ENTITY_TYPES)[number];

/** Which workspace (and project) an entity belongs to. */
export interface EntityScope {
  workspaceId: number;
  projectId: number | null;
}

/**
 * One query per type; only entities of live (not soft-deleted) projects count. A job without a
 * project belongs to its workspace alone.
 */
const SCOPE_QUERIES: Record<ScopedEntityType, string> = {
  project: `SELECT p.workspace_id, p.id AS project_id
              FROM projects p WHERE p.id = $1 AND p.deleted_at IS NULL`,
  evaluation: `SELECT p.workspace_id, p.id AS project_id
                 FROM evaluations e JOIN projects p ON p.id = e.project_id
                WHERE e.id = $1 AND p.deleted_at IS NULL`,
  optimization: `SELECT p.workspace_id, p.id AS project_id
                   FROM optimizations o JOIN projects p ON p.id = o.project_id
                  WHERE o.id = $1 AND p.deleted_at IS NULL`,
  job: `SELECT j.workspace_id, j.project_id
          FROM jobs j LEFT JOIN projects p ON p.id = j.project_id
         WHERE j.id = $1 AND (j.project_id IS NULL OR p.deleted_at IS NULL)`,
};

/** Resolves the tenancy of the entities clients can subscribe to for live events. */
@Injectable()
export class EntityScopeRepository {
  constructor(private readonly dataSource: DataSource) {}

  async scopeOf(entityType: ScopedEntityType, id: number): Promise<EntityScope | null> {
    if (!isStorableId(id)) return null;
    const [row] = await this.dataSource.query<
      { workspace_id: string | number; project_id: string | number | null }[]
    >(SCOPE_QUERIES[entityType], [id]);
    if (!row) return null;
    return {
      workspaceId: Number(row.workspace_id),
      projectId: row.project_id === null ? null : Number(row.project_id),
    };
  }
}

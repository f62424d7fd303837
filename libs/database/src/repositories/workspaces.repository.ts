import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

export interface WorkspaceMember {
  workspaceId: number;
  userId: number;
}

@Injectable()
export class WorkspacesRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Makes sure the install's default workspace and its owner exist (idempotent, safe to run from
   * several processes at once) and returns their ids.
   */
  async ensureDefaultOwner(): Promise<WorkspaceMember> {
    return this.dataSource.transaction(async (manager) => {
      const [workspace] = await manager.query<{ id: string }[]>(
        `INSERT INTO workspaces (name, slug) VALUES ('Default workspace', 'default')
         ON CONFLICT (slug) DO UPDATE SET slug = EXCLUDED.slug RETURNING id`,
      );
      const [user] = await manager.query<{ id: string }[]>(
        `INSERT INTO users (display_name, external_subject) VALUES ('Local owner', 'local:owner')
         ON CONFLICT (external_subject) DO UPDATE SET external_subject = EXCLUDED.external_subject
         RETURNING id`,
      );
      await manager.query(
        `INSERT INTO memberships (workspace_id, user_id, role) VALUES ($1, $2, 'owner')
         ON CONFLICT ON CONSTRAINT uq_memberships_workspace_user DO NOTHING`,
        [workspace.id, user.id],
      );
      return { workspaceId: Number(workspace.id), userId: Number(user.id) };
    });
  }
}

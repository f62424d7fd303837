import { Injectable } from '@nestjs/common';
import { ConflictError, type PageRequest, pageOffset } from '@ps/common';
import { DataSource } from 'typeorm';
import { MembershipEntity, type Role } from '../entities/membership.entity';
import { UserEntity } from '../entities/user.entity';
import { WorkspaceEntity } from '../entities/workspace.entity';
import { uniqueViolation } from './database-errors';

export interface MemberRow {
  user: UserEntity;
  membership: MembershipEntity;
}

/** Workspaces, users and the memberships (with roles) that join them. */
@Injectable()
export class MembersRepository {
  constructor(private readonly dataSource: DataSource) {}

  private get users() {
    return this.dataSource.getRepository(UserEntity);
  }

  private get memberships() {
    return this.dataSource.getRepository(MembershipEntity);
  }

  private get workspaces() {
    return this.dataSource.getRepository(WorkspaceEntity);
  }

  async findWorkspaceBySlug(slug: string): Promise<WorkspaceEntity | null> {
    return this.workspaces.findOneBy({ slug });
  }

  async findWorkspace(id: number): Promise<WorkspaceEntity | null> {
    return this.workspaces.findOneBy({ id });
  }

  async createWorkspace(name: string, slug: string): Promise<WorkspaceEntity> {
    try {
      return await this.workspaces.save(this.workspaces.create({ name, slug }));
    } catch (err) {
      if (uniqueViolation(err)) {
        throw new ConflictError(`A workspace with slug "${slug}" already exists.`, [
          { field: 'slug', message: `"${slug}" is taken.` },
        ]);
      }
      throw err;
    }
  }

  async findUser(id: number): Promise<UserEntity | null> {
    return this.users.findOneBy({ id });
  }

  async findUserBySubject(subject: string): Promise<UserEntity | null> {
    return this.users.findOneBy({ externalSubject: subject });
  }

  async findUserByEmail(email: string): Promise<UserEntity | null> {
    return this.users
      .createQueryBuilder('u')
      .where('lower(u.email) = lower(:email)', { email })
      .getOne();
  }

  /** Finds a user by email, or creates one; concurrent calls for one email make one user. */
  async ensureUserByEmail(email: string, displayName: string): Promise<UserEntity> {
    const existing = await this.findUserByEmail(email);
    if (existing) return existing;
    try {
      return await this.users.save(
        this.users.create({ email, displayName, externalSubject: null }),
      );
    } catch (err) {
      if (uniqueViolation(err)) return (await this.findUserByEmail(email))!;
      throw err;
    }
  }

  async createUser(values: {
    email: string | null;
    displayName: string;
    externalSubject: string | null;
  }): Promise<UserEntity> {
    return this.users.save(this.users.create(values));
  }

  async linkSubject(userId: number, subject: string): Promise<void> {
    await this.users.update({ id: userId }, { externalSubject: subject });
  }

  async findMembership(workspaceId: number, userId: number): Promise<MembershipEntity | null> {
    return this.memberships.findOneBy({ workspaceId, userId });
  }

  /** Adds the user to the workspace, or changes the role of an existing membership. */
  async upsertMembership(
    workspaceId: number,
    userId: number,
    role: Role,
  ): Promise<MembershipEntity> {
    await this.dataSource.query(
      `INSERT INTO memberships (workspace_id, user_id, role) VALUES ($1, $2, $3)
       ON CONFLICT ON CONSTRAINT uq_memberships_workspace_user
       DO UPDATE SET role = EXCLUDED.role, updated_at = now()`,
      [workspaceId, userId, role],
    );
    return this.memberships.findOneByOrFail({ workspaceId, userId });
  }

  async listMembers(
    workspaceId: number,
    page: PageRequest,
  ): Promise<{ rows: MemberRow[]; total: number }> {
    const [memberships, total] = await this.memberships.findAndCount({
      where: { workspaceId },
      order: { createdAt: 'ASC', id: 'ASC' },
      skip: pageOffset(page),
      take: page.perPage,
    });
    const users = memberships.length
      ? await this.users
          .createQueryBuilder('u')
          .where('u.id IN (:...ids)', { ids: memberships.map((m) => m.userId) })
          .getMany()
      : [];
    const byId = new Map(users.map((u) => [u.id, u]));
    return {
      rows: memberships.map((membership) => ({ membership, user: byId.get(membership.userId)! })),
      total,
    };
  }

  /**
   * Changes a role or removes a membership while keeping at least one owner. The workspace's
   * memberships are locked so two concurrent demotions cannot both pass the check.
   */
  async changeMembership(
    workspaceId: number,
    userId: number,
    role: Role | null,
  ): Promise<MembershipEntity | null> {
    return this.dataSource.transaction(async (manager) => {
      const rows = await manager.query<{ user_id: string; role: Role }[]>(
        'SELECT user_id, role FROM memberships WHERE workspace_id = $1 FOR UPDATE',
        [workspaceId],
      );
      const target = rows.find((r) => Number(r.user_id) === userId);
      if (!target) return null;
      const owners = rows.filter((r) => r.role === 'owner').length;
      if (target.role === 'owner' && role !== 'owner' && owners <= 1) {
        throw new ConflictError('A workspace keeps at least one owner.', [
          { field: 'role', message: 'Make another member owner first.' },
        ]);
      }
      if (role === null) {
        await manager.delete(MembershipEntity, { workspaceId, userId });
        // The removed member's keys for this workspace stop working with the membership.
        await manager.query(
          'UPDATE api_keys SET revoked_at = now() WHERE workspace_id = $1 AND user_id = $2 AND revoked_at IS NULL',
          [workspaceId, userId],
        );
        return null;
      }
      await manager.update(MembershipEntity, { workspaceId, userId }, { role });
      return manager.findOneByOrFail(MembershipEntity, { workspaceId, userId });
    });
  }
}

import { Injectable } from '@nestjs/common';
import { ForbiddenError, NotFoundError, type Page, type PageRequest, toPage } from '@ps/common';
import { MembersRepository, type MembershipEntity, type Role, type UserEntity } from '@ps/database';
import type { Actor } from '../../http/actor';
import type {
  CreateMemberDto,
  MemberResponseDto,
  UpdateMemberDto,
  WorkspaceResponseDto,
} from './dto/member.dto';

function toMember(user: UserEntity, membership: MembershipEntity): MemberResponseDto {
  return {
    user_id: user.id,
    email: user.email,
    display_name: user.displayName,
    role: membership.role,
    joined_at: membership.createdAt.toISOString(),
  };
}

@Injectable()
export class MembersService {
  constructor(private readonly members: MembersRepository) {}

  /** Only owners grant the owner role or change an owner's membership. */
  private checkOwnerRule(actor: Actor, from: Role | null, to: Role | null): void {
    if ((from === 'owner' || to === 'owner') && actor.role !== 'owner') {
      throw new ForbiddenError('Only an owner can grant, change or remove the owner role.');
    }
  }

  async current(actor: Actor): Promise<WorkspaceResponseDto> {
    const workspace = await this.members.findWorkspace(actor.workspaceId);
    if (!workspace) throw new NotFoundError('Workspace', actor.workspaceId);
    return {
      id: workspace.id,
      uuid: workspace.uuid,
      name: workspace.name,
      slug: workspace.slug,
      user_id: actor.userId,
      role: actor.role,
      permissions: [...actor.permissions],
    };
  }

  async list(actor: Actor, page: PageRequest): Promise<Page<MemberResponseDto>> {
    const { rows, total } = await this.members.listMembers(actor.workspaceId, page);
    return toPage(rows, total, page, (r) => toMember(r.user, r.membership));
  }

  /** Adds a person by email (creating the user if new) or changes an existing member's role. */
  async add(actor: Actor, dto: CreateMemberDto): Promise<MemberResponseDto> {
    const user = await this.members.ensureUserByEmail(
      dto.email,
      dto.display_name ?? dto.email.split('@')[0],
    );
    const existing = await this.members.findMembership(actor.workspaceId, user.id);
    this.checkOwnerRule(actor, existing?.role ?? null, dto.role);
    const membership = await this.members.upsertMembership(actor.workspaceId, user.id, dto.role);
    return toMember(user, membership);
  }

  async update(actor: Actor, userId: number, dto: UpdateMemberDto): Promise<MemberResponseDto> {
    const existing = await this.members.findMembership(actor.workspaceId, userId);
    if (!existing) throw new NotFoundError('Member', userId);
    this.checkOwnerRule(actor, existing.role, dto.role);
    const membership = await this.members.changeMembership(actor.workspaceId, userId, dto.role);
    const user = await this.members.findUser(userId);
    return toMember(user!, membership!);
  }

  /** Removes the member and revokes their API keys for this workspace. */
  async remove(actor: Actor, userId: number): Promise<void> {
    const existing = await this.members.findMembership(actor.workspaceId, userId);
    if (!existing) throw new NotFoundError('Member', userId);
    this.checkOwnerRule(actor, existing.role, null);
    await this.members.changeMembership(actor.workspaceId, userId, null);
  }
}

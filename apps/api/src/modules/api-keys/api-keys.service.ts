import { Injectable } from '@nestjs/common';
import {
  ForbiddenError,
  NotFoundError,
  type Page,
  type PageRequest,
  toPage,
  ValidationFailedError,
} from '@ps/common';
import { type ApiKeyScope, ApiKeysRepository, MembersRepository } from '@ps/database';
import { generateApiKey } from '../../auth/api-key-codec';
import { effectivePermissions } from '../../auth/permissions';
import type { Actor } from '../../http/actor';
import { toApiKeyResponse } from './api-key.mapper';
import type {
  ApiKeyResponseDto,
  CreateApiKeyDto,
  CreatedApiKeyResponseDto,
  ListApiKeysQueryDto,
} from './dto/api-key.dto';

@Injectable()
export class ApiKeysService {
  constructor(
    private readonly keys: ApiKeysRepository,
    private readonly members: MembersRepository,
  ) {}

  private expiry(dto: CreateApiKeyDto): Date | null {
    if (dto.expires_at && dto.expires_in_days) {
      throw new ValidationFailedError([
        { field: 'expires_in_days', message: 'Send expires_at or expires_in_days, not both.' },
      ]);
    }
    if (dto.expires_in_days) return new Date(Date.now() + dto.expires_in_days * 86_400_000);
    if (!dto.expires_at) return null;
    const at = new Date(dto.expires_at);
    if (at.getTime() <= Date.now()) {
      throw new ValidationFailedError([
        { field: 'expires_at', message: 'expires_at must be in the future.' },
      ]);
    }
    return at;
  }

  async create(actor: Actor, dto: CreateApiKeyDto): Promise<CreatedApiKeyResponseDto> {
    const expiresAt = this.expiry(dto);
    const userId = dto.user_id ?? actor.userId;
    const membership = await this.members.findMembership(actor.workspaceId, userId);
    if (!membership) throw new NotFoundError('Member', userId, 'user_id');
    const scopes: ApiKeyScope[] = dto.scopes ?? ['read', 'write'];
    // A key can never do more than the one creating it may do.
    const granted = effectivePermissions(membership.role, scopes);
    const extra = [...granted].filter((p) => !actor.permissions.has(p));
    if (extra.length) {
      throw new ForbiddenError(
        `You cannot create a key with permissions you lack: ${extra.join(', ')}.`,
      );
    }
    const generated = generateApiKey();
    const key = await this.keys.create({
      workspaceId: actor.workspaceId,
      userId,
      name: dto.name,
      prefix: generated.prefix,
      hash: generated.hash,
      scopes,
      expiresAt,
    });
    return { ...toApiKeyResponse(key), key: generated.key };
  }

  async list(
    actor: Actor,
    query: ListApiKeysQueryDto,
    page: PageRequest,
  ): Promise<Page<ApiKeyResponseDto>> {
    const { rows, total } = await this.keys.list(
      actor.workspaceId,
      { includeRevoked: query.include_revoked ?? false, userId: query.user_id },
      page,
    );
    return toPage(rows, total, page, toApiKeyResponse);
  }

  async revoke(actor: Actor, id: number): Promise<ApiKeyResponseDto> {
    const key = await this.keys.findInWorkspace(actor.workspaceId, id);
    if (!key) throw new NotFoundError('API key', id);
    return toApiKeyResponse(await this.keys.revoke(key.id));
  }
}

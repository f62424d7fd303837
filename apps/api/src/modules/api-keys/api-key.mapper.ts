import type { ApiKeyEntity } from '@ps/database';
import type { ApiKeyResponseDto } from './dto/api-key.dto';

const iso = (date: Date | null) => (date ? date.toISOString() : null);

/** Never includes the hash; the key itself exists only in the create response. */
export function toApiKeyResponse(key: ApiKeyEntity): ApiKeyResponseDto {
  return {
    id: key.id,
    name: key.name,
    prefix: key.prefix,
    scopes: key.scopes,
    user_id: key.userId,
    expires_at: iso(key.expiresAt),
    revoked_at: iso(key.revokedAt),
    last_used_at: iso(key.lastUsedAt),
    created_at: key.createdAt.toISOString(),
  };
}

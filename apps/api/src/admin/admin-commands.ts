import {
  ApiKeysRepository,
  type ApiKeyScope,
  type DataSource,
  MembersRepository,
  type Role,
} from '@ps/database';

import { apiKeyPrefix, generateApiKey } from '../auth/api-key-codec';

/** The scopes a key gets by default: everything its user's role allows. */
export const DEFAULT_SCOPES: Record<Role, ApiKeyScope[]> = {
  viewer: ['read'],
  editor: ['read', 'write'],
  admin: ['read', 'write', 'admin'],
  owner: ['read', 'write', 'admin'],
};

export interface CreateKeyOptions {
  workspace: string;
  role: Role;
  email?: string;
  name?: string;
  scopes?: ApiKeyScope[];
  expiresInDays?: number;
}

export interface CreatedKey {
  key: string;
  keyId: number;
  workspaceId: number;
  workspaceCreated: boolean;
  userId: number;
}

const SLUG = /^[a-z0-9][a-z0-9-]{0,62}$/;

/**
 * Creates an API key for a member of a workspace, creating the workspace and the user when they
 * do not exist yet: how the first key of a new multi-user install is made.
 */
export async function createKey(
  dataSource: DataSource,
  options: CreateKeyOptions,
): Promise<CreatedKey> {
  if (!SLUG.test(options.workspace)) {
    throw new Error('--workspace must be a slug: lower-case letters, digits and -.');
  }
  const members = new MembersRepository(dataSource);
  const keys = new ApiKeysRepository(dataSource);
  let workspace = await members.findWorkspaceBySlug(options.workspace);
  const workspaceCreated = !workspace;
  workspace ??= await members.createWorkspace(options.workspace, options.workspace);
  const user = options.email
    ? await members.ensureUserByEmail(options.email, options.email.split('@')[0])
    : await members.createUser({
        email: null,
        displayName: options.name ?? `${options.role} key`,
        externalSubject: null,
      });
  await members.upsertMembership(workspace.id, user.id, options.role);
  const generated = generateApiKey();
  const record = await keys.create({
    workspaceId: workspace.id,
    userId: user.id,
    name: options.name ?? `${options.role} key (admin CLI)`,
    prefix: generated.prefix,
    hash: generated.hash,
    scopes: options.scopes ?? DEFAULT_SCOPES[options.role],
    expiresAt: options.expiresInDays
      ? new Date(Date.now() + options.expiresInDays * 86_400_000)
      : null,
  });
  return {
    key: generated.key,
    keyId: record.id,
    workspaceId: workspace.id,
    workspaceCreated,
    userId: user.id,
  };
}

/** Revokes a key by its visible prefix (or the whole key). */
export async function revokeKey(dataSource: DataSource, prefixOrKey: string): Promise<boolean> {
  const keys = new ApiKeysRepository(dataSource);
  const record = await keys.findByPrefix(apiKeyPrefix(prefixOrKey));
  if (!record) return false;
  await keys.revoke(record.id);
  return true;
}

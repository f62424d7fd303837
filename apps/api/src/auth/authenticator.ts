import { Injectable, Logger } from '@nestjs/common';
import type { Request } from 'express';
import { ApiConfig } from '@ps/config';
import { InvalidCredentialsError, UnauthenticatedError } from '@ps/common';
import { ApiKeysRepository, MembersRepository, type Role } from '@ps/database';
import type { Actor } from '../http/actor';
import { apiKeyMatches, apiKeyPrefix, isWellFormedApiKey } from './api-key-codec';
import { JwtVerifier, type VerifiedToken } from './jwt-verifier';
import { effectivePermissions, ROLE_RANK } from './permissions';

/** Turns the credentials of a request into an Actor, or explains (safely) why not. */
@Injectable()
export class Authenticator {
  private readonly logger = new Logger('Auth');
  private anonymousOwner: Actor | null = null;

  constructor(
    private readonly config: ApiConfig,
    private readonly keys: ApiKeysRepository,
    private readonly members: MembersRepository,
    private readonly jwt: JwtVerifier,
  ) {}

  /** AUTH_MODE=none: every request acts as this owner. */
  useAnonymousOwner(workspaceId: number, userId: number): void {
    this.anonymousOwner = {
      workspaceId,
      userId,
      role: 'owner',
      permissions: effectivePermissions('owner'),
      apiKeyId: null,
      via: 'none',
    };
  }

  async authenticate(req: Request): Promise<Actor> {
    const apiKey = req.header('x-api-key');
    const authorization = req.header('authorization');
    if (apiKey !== undefined) return this.fromApiKey(apiKey.trim());
    if (authorization !== undefined) {
      const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
      if (!match) {
        throw new InvalidCredentialsError('Authorization must be "Bearer <token>".');
      }
      const token = match[1];
      // An API key sent as a bearer token is accepted too, for clients that only do bearer auth.
      return token.startsWith('pstudio_') ? this.fromApiKey(token) : this.fromToken(token);
    }
    if (this.config.env.AUTH_MODE === 'none' && this.anonymousOwner) return this.anonymousOwner;
    throw new UnauthenticatedError();
  }

  private async fromApiKey(key: string): Promise<Actor> {
    if (!isWellFormedApiKey(key)) throw new InvalidCredentialsError('The API key is malformed.');
    const record = await this.keys.findByPrefix(apiKeyPrefix(key));
    if (!record || !apiKeyMatches(key, record.hash)) {
      throw new InvalidCredentialsError('The API key is not valid.');
    }
    if (record.revokedAt) throw new InvalidCredentialsError('The API key has been revoked.');
    if (record.expiresAt && record.expiresAt.getTime() <= Date.now()) {
      throw new InvalidCredentialsError('The API key has expired.');
    }
    const role = await this.activeRole(record.workspaceId, record.userId);
    this.keys.touch(record.id, this.config.env.API_KEY_TOUCH_SECONDS).catch((err: unknown) => {
      this.logger.warn(`Could not record API key use: ${String(err)}`);
    });
    return {
      workspaceId: record.workspaceId,
      userId: record.userId,
      role,
      permissions: effectivePermissions(role, record.scopes),
      apiKeyId: record.id,
      via: 'api_key',
    };
  }

  private async activeRole(workspaceId: number, userId: number): Promise<Role> {
    const [user, membership] = await Promise.all([
      this.members.findUser(userId),
      this.members.findMembership(workspaceId, userId),
    ]);
    if (!user || user.disabledAt) throw new InvalidCredentialsError('The user is disabled.');
    if (!membership) {
      throw new InvalidCredentialsError('The user is no longer a member of the workspace.');
    }
    return membership.role;
  }

  private async fromToken(token: string): Promise<Actor> {
    const claims = await this.jwt.verify(token);
    if (!claims.workspace) {
      throw new InvalidCredentialsError(
        `The bearer token names no workspace (claim "${this.config.env.JWT_WORKSPACE_CLAIM}").`,
      );
    }
    const workspace = await this.members.findWorkspaceBySlug(claims.workspace);
    if (!workspace) {
      throw new InvalidCredentialsError(`The workspace "${claims.workspace}" does not exist.`);
    }
    const userId = await this.userFor(claims);
    let membership = await this.members.findMembership(workspace.id, userId);
    if (this.config.env.JWT_AUTO_PROVISION) {
      // The identity provider is authoritative: its role claim sets the membership.
      const role = claims.role ?? membership?.role ?? 'viewer';
      if (!membership || membership.role !== role) {
        membership = await this.members.upsertMembership(workspace.id, userId, role);
      }
    }
    if (!membership) {
      throw new InvalidCredentialsError(
        `The user is not a member of workspace "${claims.workspace}".`,
      );
    }
    const user = await this.members.findUser(userId);
    if (!user || user.disabledAt) throw new InvalidCredentialsError('The user is disabled.');
    // Without auto-provisioning a role claim can only narrow the membership's role.
    const role =
      claims.role && ROLE_RANK[claims.role] < ROLE_RANK[membership.role]
        ? claims.role
        : membership.role;
    return {
      workspaceId: workspace.id,
      userId,
      role,
      permissions: effectivePermissions(role),
      apiKeyId: null,
      via: 'jwt',
    };
  }

  /** The user a token stands for: by subject, else by email (linking the subject). */
  private async userFor(claims: VerifiedToken): Promise<number> {
    const bySubject = await this.members.findUserBySubject(claims.subject);
    if (bySubject) return bySubject.id;
    if (claims.email) {
      const byEmail = await this.members.findUserByEmail(claims.email);
      if (byEmail) {
        if (!byEmail.externalSubject) await this.members.linkSubject(byEmail.id, claims.subject);
        return byEmail.id;
      }
    }
    if (!this.config.env.JWT_AUTO_PROVISION) {
      throw new InvalidCredentialsError('The bearer token names an unknown user.');
    }
    const created = await this.members.createUser({
      email: claims.email,
      displayName: claims.name ?? claims.email ?? claims.subject,
      externalSubject: claims.subject,
    });
    return created.id;
  }
}

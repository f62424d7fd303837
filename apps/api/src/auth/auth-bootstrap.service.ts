import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { ApiConfig } from '@ps/config';
import { ApiKeysRepository, uniqueViolation, WorkspacesRepository } from '@ps/database';
import { apiKeyMatches, describeApiKey, generateApiKey, isWellFormedApiKey } from './api-key-codec';
import { Authenticator } from './authenticator';

export const OWNER_KEY_FILE = 'owner-api-key';

/**
 * Prepares authentication at start-up. single_user: the default workspace, its owner and an owner
 * key (PROMPT_STUDIO_API_KEY, or one generated at first start, written to DATA_DIR and printed
 * once). none: the default owner for anonymous requests. multi_user: nothing; keys come from the
 * admin CLI and tokens from the identity provider.
 */
@Injectable()
export class AuthBootstrap implements OnApplicationBootstrap {
  private readonly logger = new Logger('Auth');

  constructor(
    private readonly config: ApiConfig,
    private readonly workspaces: WorkspacesRepository,
    private readonly keys: ApiKeysRepository,
    private readonly authenticator: Authenticator,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const mode = this.config.env.AUTH_MODE;
    if (mode === 'multi_user') return;
    const owner = await this.workspaces.ensureDefaultOwner();
    if (mode === 'none') {
      this.authenticator.useAnonymousOwner(owner.workspaceId, owner.userId);
      this.logger.warn(
        `AUTH_MODE=none: every request acts as the owner, without credentials. The server ` +
          `listens on ${this.config.env.HOST} only; never use this mode on a shared network.`,
      );
      return;
    }
    await this.ensureOwnerKey(owner.workspaceId, owner.userId);
  }

  private keyFile(): string {
    return resolve(this.config.env.DATA_DIR, OWNER_KEY_FILE);
  }

  private async ensureOwnerKey(workspaceId: number, userId: number): Promise<void> {
    const configured = this.config.env.PROMPT_STUDIO_API_KEY;
    if (configured) {
      await this.register(configured, workspaceId, userId);
      this.logger.log('Owner API key: PROMPT_STUDIO_API_KEY.');
      return;
    }
    const file = this.keyFile();
    if (existsSync(file)) {
      const stored = readFileSync(file, 'utf8').trim();
      if (isWellFormedApiKey(stored)) {
        await this.register(stored, workspaceId, userId);
        this.logger.log(`Owner API key: stored in ${file}.`);
        return;
      }
      this.logger.warn(`${file} does not hold a valid key; generating a new one.`);
    }
    const generated = generateApiKey();
    await this.keys.create({
      workspaceId,
      userId,
      name: 'Owner key (generated at first start)',
      prefix: generated.prefix,
      hash: generated.hash,
      scopes: ['read', 'write', 'admin'],
      expiresAt: null,
    });
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, `${generated.key}\n`, { mode: 0o600 });
    chmodSync(file, 0o600);
    // Printed once, on purpose, outside the structured logs.
    process.stdout.write(
      `\n  Prompt Studio owner API key (shown once, also saved to ${file}):\n\n` +
        `    ${generated.key}\n\n  Send it as the X-API-Key header.\n\n`,
    );
  }

  /** Makes sure a key the operator holds exists; an unknown one is added as an owner key. */
  private async register(key: string, workspaceId: number, userId: number): Promise<void> {
    const described = describeApiKey(key);
    const existing = await this.keys.findByPrefix(described.prefix);
    if (existing) {
      if (!apiKeyMatches(key, existing.hash)) {
        throw new Error(
          'The owner API key shares its first 16 characters with another key; choose another.',
        );
      }
      if (existing.revokedAt) {
        this.logger.warn('The configured owner API key has been revoked; requests with it fail.');
      }
      return;
    }
    try {
      await this.keys.create({
        workspaceId,
        userId,
        name: 'Owner key',
        prefix: described.prefix,
        hash: described.hash,
        scopes: ['read', 'write', 'admin'],
        expiresAt: null,
      });
    } catch (err) {
      // Another API process registered it at the same moment.
      if (!uniqueViolation(err)) throw err;
    }
  }
}

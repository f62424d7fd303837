import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { ApiConfig } from '@ps/config';
import { ApiKeysRepository, uniqueViolation, WorkspacesRepository } from '@ps/database';
import {
  apiKeyMatches,
  apiKeyPrefix,
  describeApiKey,
  generateApiKey,
  isWellFormedApiKey,
} from './api-key-codec';
import { Authenticator } from './authenticator';

export const OWNER_KEY_FILE = 'owner-api-key';

/** How to get another owner key when the generated one is out of reach. */
const CREATE_KEY_HINT =
  'npm run admin -- create-key --workspace default --role owner (inside the image: ' +
  'node dist/apps/api/src/admin-cli.js create-key --workspace default --role owner)';

/**
 * Prepares authentication at start-up. single_user: the default workspace, its owner and an owner
 * key (PROMPT_STUDIO_API_KEY, or one generated when the database holds no key of the owner yet,
 * saved to DATA_DIR). none: the default owner for anonymous requests. multi_user: nothing; keys
 * come from the admin CLI and tokens from the identity provider.
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
      this.logger.warn(`${file} does not hold a valid key; ignoring it.`);
    }
    // The database decides, not DATA_DIR: a container without a volume starts with an empty
    // DATA_DIR every time, and several replicas start at once.
    const generated = generateApiKey();
    const outcome = await this.keys.createUnlessUserHasKey({
      workspaceId,
      userId,
      name: 'Owner key (generated at first start)',
      prefix: generated.prefix,
      hash: generated.hash,
      scopes: ['read', 'write', 'admin'],
      expiresAt: null,
    });
    if (!outcome.created) {
      this.logger.log(
        `Owner API key: the database already holds one (${outcome.key.prefix}..., created ` +
          `${outcome.key.createdAt.toISOString()}); keys are shown only when created. To get ` +
          `another: ${CREATE_KEY_HINT}.`,
      );
      return;
    }
    await this.deliver(generated.key, outcome.key.id, file);
  }

  /**
   * Hands the new key to the operator, once, without putting it in the logs a collector ships:
   * saved to DATA_DIR (mode 600), and shown in full only on a console (a terminal, or
   * LOG_PRETTY, outside production). A key that can reach nobody is removed again, so the next
   * start can try anew.
   */
  private async deliver(key: string, id: number, file: string): Promise<void> {
    let saveError: string | undefined;
    try {
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, `${key}\n`, { mode: 0o600 });
      chmodSync(file, 0o600);
    } catch (err) {
      saveError = err instanceof Error ? err.message : String(err);
    }
    // A person at a terminal (or reading pretty logs) during development, not a log collector.
    const console =
      (this.config.env.LOG_PRETTY || process.stdout.isTTY === true) &&
      this.config.env.NODE_ENV !== 'production';
    if (console) {
      // On purpose outside the structured logs.
      process.stdout.write(
        `\n  Prompt Studio owner API key (shown once${saveError ? '' : `, also saved to ${file}`}):` +
          `\n\n    ${key}\n\n  Send it as the X-API-Key header.\n\n`,
      );
      return;
    }
    if (!saveError) {
      this.logger.warn(
        `Owner API key created (${apiKeyPrefix(key)}...) and saved to ${file}; it is not ` +
          'written to the logs. Read it from that file (in a container: kubectl exec or ' +
          'docker exec ... cat it), keep it safe, and send it as the X-API-Key header.',
      );
      return;
    }
    await this.keys.delete(id);
    this.logger.error(
      `An owner API key could not be saved to ${file} (${saveError}), and keys are never ` +
        `written to the logs, so none was kept. Give DATA_DIR a writable volume, set ` +
        `PROMPT_STUDIO_API_KEY, or create one: ${CREATE_KEY_HINT}.`,
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

import {
  type CallHandler,
  type ExecutionContext,
  Injectable,
  Logger,
  type NestInterceptor,
  SetMetadata,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { redactQuery, requestIdOf } from '@ps/common';
import { AuditRepository } from '@ps/database';
import { concatMap, type Observable } from 'rxjs';
import type { RequestWithActor } from './actor';

const AUDIT_KEY = 'ps:audit';

interface AuditSpec {
  action: string;
  entityType: string;
}

/**
 * Records a successful call of the route in the audit log: who (user and key), what
 * (`<entity>.<verb>`), which entity (the response's id, else the path id) and the request id.
 */
export const Audited = (action: string, entityType: string) =>
  SetMetadata(AUDIT_KEY, { action, entityType } satisfies AuditSpec);

function entityIdOf(body: unknown, req: RequestWithActor): number | null {
  const id = (body as { id?: unknown } | null | undefined)?.id;
  if (typeof id === 'number') return id;
  const param = Number(req.params?.id);
  return Number.isSafeInteger(param) && param > 0 ? param : null;
}

@Injectable()
export class AuditInterceptor implements NestInterceptor {
  private readonly logger = new Logger('Audit');

  constructor(
    private readonly reflector: Reflector,
    private readonly audit: AuditRepository,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const spec = this.reflector.get<AuditSpec | undefined>(AUDIT_KEY, context.getHandler());
    if (!spec) return next.handle();
    const req = context.switchToHttp().getRequest<RequestWithActor>();
    return next.handle().pipe(
      concatMap(async (body: unknown) => {
        const actor = req.actor;
        // How many rows a bulk create or an import wrote.
        const written = body as { created?: unknown; imported?: unknown } | null | undefined;
        const count = written?.created ?? written?.imported;
        try {
          await this.audit.record({
            workspaceId: actor?.workspaceId ?? null,
            actorUserId: actor?.userId ?? null,
            actorApiKeyId: actor?.apiKeyId ?? null,
            action: spec.action,
            entityType: spec.entityType,
            entityId: entityIdOf(body, req),
            requestId: requestIdOf(req) ?? null,
            details: {
              method: req.method,
              path: req.originalUrl.split('?')[0],
              ...(req.query && Object.keys(req.query).length
                ? { query: redactQuery(req.query) }
                : {}),
              ...(typeof count === 'number' ? { count } : {}),
            },
          });
        } catch (err) {
          this.logger.error({ err }, `Could not record audit event ${spec.action}`);
        }
        return body;
      }),
    );
  }
}

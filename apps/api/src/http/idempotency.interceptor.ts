import { createHash } from 'node:crypto';
import {
  type CallHandler,
  type ExecutionContext,
  Injectable,
  type NestInterceptor,
  SetMetadata,
} from '@nestjs/common';
import { HTTP_CODE_METADATA } from '@nestjs/common/constants';
import { Reflector } from '@nestjs/core';
import type { Response } from 'express';
import { ApiConfig } from '@ps/config';
import { DomainError, ValidationFailedError } from '@ps/common';
import { IdempotencyRepository } from '@ps/database';
import { catchError, concatMap, from, type Observable, of, throwError } from 'rxjs';
import type { RequestWithActor } from './actor';

const IDEMPOTENT = 'ps:idempotent';
const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;

/** Marks a create route: repeating it with the same Idempotency-Key replays the first answer. */
export const Idempotent = () => SetMetadata(IDEMPOTENT, true);

/** JSON with sorted keys, so `{a, b}` and `{b, a}` are the same request. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

@Injectable()
export class IdempotencyInterceptor implements NestInterceptor {
  constructor(
    private readonly reflector: Reflector,
    private readonly keys: IdempotencyRepository,
    private readonly config: ApiConfig,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (!this.reflector.get<boolean>(IDEMPOTENT, context.getHandler())) return next.handle();
    const req = context.switchToHttp().getRequest<RequestWithActor>();
    const key = req.header('idempotency-key');
    if (key === undefined) return next.handle();
    return from(this.begin(context, req, key)).pipe(
      concatMap((claim) => {
        if (claim.replay) return of(claim.replay);
        const status =
          this.reflector.get<number>(HTTP_CODE_METADATA, context.getHandler()) ??
          (req.method === 'POST' ? 201 : 200);
        return next.handle().pipe(
          concatMap(async (body: unknown) => {
            const id = (body as { id?: unknown } | null)?.id;
            await this.keys.complete(claim.id, status, body, typeof id === 'number' ? id : null);
            return body;
          }),
          catchError((err: unknown) =>
            from(this.keys.release(claim.id)).pipe(concatMap(() => throwError(() => err))),
          ),
        );
      }),
    );
  }

  private async begin(
    context: ExecutionContext,
    req: RequestWithActor,
    key: string,
  ): Promise<{ id: number; replay?: undefined } | { id: number; replay: unknown }> {
    if (!KEY_PATTERN.test(key)) {
      throw new ValidationFailedError([
        {
          field: 'Idempotency-Key',
          message: 'Idempotency-Key must be 1 to 255 visible ASCII characters.',
        },
      ]);
    }
    const actor = req.actor!;
    const route = `${req.method} ${(req.route as { path?: string } | undefined)?.path ?? req.path}`;
    const requestHash = createHash('sha256')
      .update(canonical({ params: req.params, query: req.query, body: req.body as unknown }))
      .digest('hex');
    const claim = await this.keys.claim({
      workspaceId: actor.workspaceId,
      userId: actor.userId,
      route,
      key,
      requestHash,
      ttlHours: this.config.env.IDEMPOTENCY_TTL_HOURS,
    });
    if (claim.kind === 'owner') return { id: claim.id };

    if (claim.record.requestHash !== requestHash) {
      throw new DomainError(
        'idempotency_key_reused',
        'This Idempotency-Key was already used with a different request body. Use a new key ' +
          'for a new request.',
        [{ field: 'Idempotency-Key', message: 'already used with a different request.' }],
      );
    }
    // Another request with this key is running or done: wait for its answer and replay it.
    const deadline = Date.now() + this.config.env.IDEMPOTENCY_WAIT_MS;
    let record = claim.record;
    while (record.responseStatus === null) {
      if (Date.now() >= deadline) {
        throw new DomainError(
          'idempotency_in_progress',
          'A request with this Idempotency-Key is still being processed; retry shortly.',
        );
      }
      await sleep(25);
      const latest = await this.keys.find(record.id);
      if (!latest) {
        // The first request failed and released the key: this one may now run itself.
        return this.begin(context, req, key);
      }
      record = latest;
    }
    const res = context.switchToHttp().getResponse<Response>();
    res.status(record.responseStatus);
    res.setHeader('Idempotent-Replayed', 'true');
    return { id: record.id, replay: record.responseBody };
  }
}

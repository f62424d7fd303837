import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Response } from 'express';
import { RateLimitedError } from '@ps/common';
import type { RequestWithActor } from '../http/actor';
import { RATE_LIMIT_KEY, type RateLimitedOperation } from './permissions';
import { RateLimiterService, type RateLimitState } from './rate-limiter.service';

function setRateLimitHeaders(res: Response, state: RateLimitState): void {
  if (res.headersSent) return;
  res.setHeader('RateLimit-Limit', String(state.limit));
  res.setHeader('RateLimit-Remaining', String(state.remaining));
  res.setHeader('RateLimit-Reset', String(state.resetSeconds));
}

/**
 * Runs after the AuthGuard: counts the request against the caller's bucket for the route's
 * operation (@RateLimit, else `default`) and reports the state in RateLimit-* headers. Public
 * routes have no actor and are never limited. A refusal is a 429 with Retry-After (set by the
 * problem-details filter).
 */
@Injectable()
export class RateLimitGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly limiter: RateLimiterService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http' || !this.limiter.enabled) return true;
    const http = context.switchToHttp();
    const req = http.getRequest<RequestWithActor>();
    if (!req.actor) return true;
    const operation =
      this.reflector.getAllAndOverride<RateLimitedOperation | undefined>(RATE_LIMIT_KEY, [
        context.getHandler(),
        context.getClass(),
      ]) ?? 'default';
    const res = http.getResponse<Response>();
    try {
      setRateLimitHeaders(res, await this.limiter.consume(req.actor.userId, operation));
    } catch (err) {
      if (err instanceof RateLimitedError) {
        setRateLimitHeaders(res, {
          limit: this.limiter.limitOf(operation),
          remaining: 0,
          resetSeconds: err.retryAfterSeconds,
        });
      }
      throw err;
    }
    return true;
  }
}

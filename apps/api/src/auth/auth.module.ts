import { Global, Module } from '@nestjs/common';
import { APP_GUARD, DiscoveryModule } from '@nestjs/core';
import { AuthBootstrap } from './auth-bootstrap.service';
import { AuthGuard } from './auth.guard';
import { Authenticator } from './authenticator';
import { JwtVerifier } from './jwt-verifier';
import { RateLimitGuard } from './rate-limit.guard';
import { RateLimiterService } from './rate-limiter.service';
import { RouteGuardCheck } from './route-guard.check';

/**
 * Authentication (API keys, JWT), authorisation by role and scope, per-user rate limits and
 * start-up checks.
 */
@Global()
@Module({
  imports: [DiscoveryModule],
  providers: [
    JwtVerifier,
    Authenticator,
    AuthBootstrap,
    RouteGuardCheck,
    RateLimiterService,
    // Guards run in registration order: rate limits count the actor the AuthGuard resolved.
    { provide: APP_GUARD, useClass: AuthGuard },
    { provide: APP_GUARD, useClass: RateLimitGuard },
  ],
  exports: [Authenticator],
})
export class AuthModule {}

import { Global, Module } from '@nestjs/common';
import { APP_GUARD, DiscoveryModule } from '@nestjs/core';
import { AuthBootstrap } from './auth-bootstrap.service';
import { AuthGuard } from './auth.guard';
import { Authenticator } from './authenticator';
import { JwtVerifier } from './jwt-verifier';
import { RouteGuardCheck } from './route-guard.check';

/** Authentication (API keys, JWT), authorisation by role and scope, and start-up checks. */
@Global()
@Module({
  imports: [DiscoveryModule],
  providers: [
    JwtVerifier,
    Authenticator,
    AuthBootstrap,
    RouteGuardCheck,
    { provide: APP_GUARD, useClass: AuthGuard },
  ],
  exports: [Authenticator],
})
export class AuthModule {}

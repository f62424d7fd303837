import { Injectable } from '@nestjs/common';
import { InvalidCredentialsError } from '@ps/common';
import { ApiConfig } from '@ps/config';
import { ROLES, type Role } from '@ps/database';
import {
  createRemoteJWKSet,
  decodeProtectedHeader,
  errors,
  jwtVerify,
  type JWTPayload,
  type JWTVerifyGetKey,
  type JWTVerifyOptions,
  type ProtectedHeaderParameters,
} from 'jose';

/** The identity a verified bearer token asserts. Claims the token lacks come back as null. */
export interface VerifiedToken {
  subject: string;
  email: string | null;
  name: string | null;
  workspace: string | null;
  role: Role | null;
  /** `iat`, in seconds since the epoch. */
  issuedAt: number | null;
  /** `exp`, in seconds since the epoch (always present on an accepted token). */
  expiresAt: number | null;
}

/** With JWT_SECRET: HMAC with SHA-256 only. */
export const SECRET_ALGORITHMS: readonly string[] = ['HS256'];
/** With JWT_JWKS_URL: asymmetric algorithms only, so a public key can never act as an HMAC secret. */
export const JWKS_ALGORITHMS: readonly string[] = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'ES256',
  'ES384',
  'EdDSA',
];

const CLOCK_TOLERANCE_SECONDS = 30;
/** Anything longer is not a token this API issues or accepts; refuse it before parsing. */
const MAX_TOKEN_LENGTH = 16_384;
const JWKS_TIMEOUT_MS = 5_000;

const MESSAGES = {
  disabled: 'Bearer tokens are not accepted: no JWT_SECRET or JWT_JWKS_URL is configured.',
  malformed: 'The bearer token is malformed.',
  algNone: 'The bearer token algorithm none is not accepted.',
  expired: 'The bearer token has expired.',
  notYetValid: 'The bearer token is not valid yet (nbf is in the future).',
  signature: 'The bearer token signature is not valid.',
  issuer: 'The bearer token issuer is not accepted.',
  audience: 'The bearer token audience is not accepted.',
  noSubject: 'The bearer token has no subject (sub) claim.',
  noExpiry: 'The bearer token has no expiry (exp) claim; tokens without expiry are not accepted.',
  unknownKey: 'The bearer token was signed with a key that is not in the key set at JWT_JWKS_URL.',
  jwksUnavailable:
    'The key set at JWT_JWKS_URL could not be fetched, so the bearer token cannot be verified.',
  unverifiable: 'The bearer token could not be verified.',
} as const;

type Verifier = { kind: 'secret'; key: Uint8Array } | { kind: 'jwks'; key: JWTVerifyGetKey };

/**
 * Verifies bearer JWTs against JWT_SECRET (HS256) and/or JWT_JWKS_URL (asymmetric algorithms) and
 * maps their claims to a {@link VerifiedToken}. Every refusal is an {@link InvalidCredentialsError}
 * whose message names the problem but never contains the token or the secret.
 */
@Injectable()
export class JwtVerifier {
  /** True when JWT_SECRET or JWT_JWKS_URL is set; otherwise every token is refused. */
  readonly enabled: boolean;

  private readonly secret: Uint8Array | null;
  private readonly jwks: JWTVerifyGetKey | null;
  private readonly issuer: string | undefined;
  private readonly audience: string | undefined;
  private readonly workspaceClaim: string;
  private readonly roleClaim: string;

  constructor(config: ApiConfig) {
    const env = config.env;
    this.secret = env.JWT_SECRET ? new TextEncoder().encode(env.JWT_SECRET) : null;
    // The key set is fetched lazily on the first token and cached by jose (refetched after 10
    // minutes, or sooner when a token names an unknown kid, at most every 30 seconds).
    this.jwks = env.JWT_JWKS_URL
      ? createRemoteJWKSet(new URL(env.JWT_JWKS_URL), { timeoutDuration: JWKS_TIMEOUT_MS })
      : null;
    this.enabled = this.secret !== null || this.jwks !== null;
    this.issuer = env.JWT_ISSUER;
    this.audience = env.JWT_AUDIENCE;
    this.workspaceClaim = env.JWT_WORKSPACE_CLAIM;
    this.roleClaim = env.JWT_ROLE_CLAIM;
  }

  async verify(token: string): Promise<VerifiedToken> {
    if (!this.enabled) throw new InvalidCredentialsError(MESSAGES.disabled);
    if (typeof token !== 'string' || token.length === 0 || token.length > MAX_TOKEN_LENGTH) {
      throw new InvalidCredentialsError(MESSAGES.malformed);
    }

    let header: ProtectedHeaderParameters;
    try {
      header = decodeProtectedHeader(token);
    } catch {
      throw new InvalidCredentialsError(MESSAGES.malformed);
    }
    const alg = header.alg;
    if (typeof alg !== 'string' || alg.length === 0) {
      throw new InvalidCredentialsError(MESSAGES.malformed);
    }
    if (alg.toLowerCase() === 'none') throw new InvalidCredentialsError(MESSAGES.algNone);

    const verifier = this.pickVerifier(alg);
    const options: JWTVerifyOptions = {
      algorithms: [...(verifier.kind === 'secret' ? SECRET_ALGORITHMS : JWKS_ALGORITHMS)],
      requiredClaims: ['sub', 'exp'],
      clockTolerance: CLOCK_TOLERANCE_SECONDS,
      ...(this.issuer ? { issuer: this.issuer } : {}),
      ...(this.audience ? { audience: this.audience } : {}),
    };

    let payload: JWTPayload;
    try {
      // Two calls because jwtVerify's overloads take a key or a key getter, not their union.
      payload =
        verifier.kind === 'secret'
          ? (await jwtVerify(token, verifier.key, options)).payload
          : (await jwtVerify(token, verifier.key, options)).payload;
    } catch (error) {
      throw new InvalidCredentialsError(describeFailure(error, verifier.kind));
    }
    return this.mapClaims(payload);
  }

  /** HS* goes to the secret, everything else to the key set; refuses what neither accepts. */
  private pickVerifier(alg: string): Verifier {
    const symmetric = alg.toUpperCase().startsWith('HS');
    if (symmetric) {
      if (this.secret && SECRET_ALGORITHMS.includes(alg)) {
        return { kind: 'secret', key: this.secret };
      }
      throw new InvalidCredentialsError(
        this.secret
          ? `${algorithmRefused(alg)} Only HS256 is accepted with JWT_SECRET.`
          : `${algorithmRefused(alg)} Tokens are verified against JWT_JWKS_URL, which accepts ${JWKS_ALGORITHMS.join(', ')}.`,
      );
    }
    if (this.jwks && JWKS_ALGORITHMS.includes(alg)) return { kind: 'jwks', key: this.jwks };
    throw new InvalidCredentialsError(
      this.jwks
        ? `${algorithmRefused(alg)} JWT_JWKS_URL accepts ${JWKS_ALGORITHMS.join(', ')}.`
        : `${algorithmRefused(alg)} Tokens are verified with JWT_SECRET, which accepts HS256 only.`,
    );
  }

  private mapClaims(payload: JWTPayload): VerifiedToken {
    const subject = payload.sub;
    if (typeof subject !== 'string' || subject.trim().length === 0) {
      throw new InvalidCredentialsError(MESSAGES.noSubject);
    }
    if (typeof payload.exp !== 'number') throw new InvalidCredentialsError(MESSAGES.noExpiry);
    return {
      subject,
      email: stringClaim(payload['email']),
      name: stringClaim(payload['name']),
      workspace: workspaceClaim(payload[this.workspaceClaim]),
      role: roleClaim(payload[this.roleClaim]),
      issuedAt: typeof payload.iat === 'number' ? payload.iat : null,
      expiresAt: payload.exp,
    };
  }
}

/** Names the algorithm only when it looks like one: the header is attacker-controlled text. */
function algorithmRefused(alg: string): string {
  return /^[A-Za-z0-9+_-]{1,16}$/.test(alg)
    ? `The bearer token algorithm ${alg} is not accepted.`
    : 'The bearer token algorithm is not accepted.';
}

function describeFailure(error: unknown, kind: Verifier['kind']): string {
  if (error instanceof errors.JWTExpired) return MESSAGES.expired;
  if (error instanceof errors.JWTClaimValidationFailed) {
    const missing = error.reason === 'missing';
    switch (error.claim) {
      case 'exp':
        return missing ? MESSAGES.noExpiry : MESSAGES.malformed;
      case 'sub':
        return missing ? MESSAGES.noSubject : MESSAGES.malformed;
      case 'nbf':
        return error.reason === 'check_failed' ? MESSAGES.notYetValid : MESSAGES.malformed;
      case 'iat':
        return error.reason === 'check_failed'
          ? 'The bearer token was issued in the future.'
          : MESSAGES.malformed;
      case 'iss':
        return missing ? 'The bearer token has no issuer (iss) claim.' : MESSAGES.issuer;
      case 'aud':
        return missing ? 'The bearer token has no audience (aud) claim.' : MESSAGES.audience;
      default:
        return MESSAGES.unverifiable;
    }
  }
  if (error instanceof errors.JWSSignatureVerificationFailed) return MESSAGES.signature;
  if (error instanceof errors.JOSEAlgNotAllowed) return algorithmRefused('');
  if (error instanceof errors.JWKSNoMatchingKey) return MESSAGES.unknownKey;
  if (error instanceof errors.JWKSMultipleMatchingKeys) return MESSAGES.unknownKey;
  if (error instanceof errors.JWSInvalid || error instanceof errors.JWTInvalid) {
    return MESSAGES.malformed;
  }
  if (kind === 'jwks') {
    // Timeouts, a non-200 answer, a body that is not a key set, or a network error (ECONNREFUSED,
    // DNS, TLS): the key set could not be obtained. jose rethrows network errors unwrapped.
    if (
      error instanceof errors.JWKSTimeout ||
      error instanceof errors.JWKSInvalid ||
      !(error instanceof errors.JOSEError) ||
      error.code === 'ERR_JOSE_GENERIC'
    ) {
      return MESSAGES.jwksUnavailable;
    }
  }
  return MESSAGES.unverifiable;
}

function stringClaim(value: unknown): string | null {
  return typeof value === 'string' && value.trim().length > 0 ? value : null;
}

function workspaceClaim(value: unknown): string | null {
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return stringClaim(value);
}

function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

/** One role, or an array of roles of which the highest wins (ROLES is ordered highest first). */
function roleClaim(value: unknown): Role | null {
  if (isRole(value)) return value;
  if (!Array.isArray(value)) return null;
  const roles = value.filter(isRole);
  if (roles.length === 0) return null;
  return roles.reduce((best, role) => (ROLES.indexOf(role) < ROLES.indexOf(best) ? role : best));
}

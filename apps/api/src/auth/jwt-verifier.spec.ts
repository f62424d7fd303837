import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { InvalidCredentialsError } from '@ps/common';
import { ApiConfig } from '@ps/config';
import {
  exportJWK,
  exportSPKI,
  generateKeyPair,
  SignJWT,
  type JWTPayload,
  type KeyLike,
} from 'jose';
import { JwtVerifier } from './jwt-verifier';

const SECRET = 'unit-test-secret-0123456789-abcdefghijklmnop';
const OTHER_SECRET = 'another-secret-0123456789-abcdefghijklmnopqr';
const KID = 'test-key-1';

function verifierFor(env: NodeJS.ProcessEnv): JwtVerifier {
  return new JwtVerifier(
    ApiConfig.fromEnv({ LOG_LEVEL: 'silent', DATA_DIR: 'memory://jwt-verifier', ...env }),
  );
}

const now = () => Math.floor(Date.now() / 1000);

function b64url(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

/** Signs claims as given (no defaults added), so tests control exactly which claims exist. */
async function signHs(
  claims: JWTPayload,
  secret = SECRET,
  alg: 'HS256' | 'HS384' | 'HS512' = 'HS256',
): Promise<string> {
  return new SignJWT(claims)
    .setProtectedHeader({ alg, typ: 'JWT' })
    .sign(new TextEncoder().encode(secret));
}

async function signRs(claims: JWTPayload, key: KeyLike, kid = KID): Promise<string> {
  return new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid, typ: 'JWT' }).sign(key);
}

const baseClaims = (extra: JWTPayload = {}): JWTPayload => ({
  sub: 'user-42',
  iat: now(),
  exp: now() + 600,
  ...extra,
});

/** Asserts the refusal is an InvalidCredentialsError that leaks neither the token nor a secret. */
async function expectRefused(
  promise: Promise<unknown>,
  token: string,
  message: string | RegExp,
): Promise<InvalidCredentialsError> {
  let caught: unknown;
  try {
    await promise;
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(InvalidCredentialsError);
  const error = caught as InvalidCredentialsError;
  expect(error.code).toBe('invalid_credentials');
  if (typeof message === 'string') expect(error.message).toBe(message);
  else expect(error.message).toMatch(message);
  if (token.length > 0) expect(error.message).not.toContain(token);
  for (const part of token.split('.')) {
    if (part.length > 8) expect(error.message).not.toContain(part);
  }
  expect(error.message).not.toContain(SECRET);
  expect(error.message).not.toContain(OTHER_SECRET);
  return error;
}

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

async function close(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

describe('JwtVerifier', () => {
  describe('configuration', () => {
    it('is disabled and refuses every token when neither JWT_SECRET nor JWT_JWKS_URL is set', async () => {
      const verifier = verifierFor({});
      expect(verifier.enabled).toBe(false);
      const token = await signHs(baseClaims());
      await expectRefused(
        verifier.verify(token),
        token,
        'Bearer tokens are not accepted: no JWT_SECRET or JWT_JWKS_URL is configured.',
      );
    });

    it('is enabled with JWT_SECRET or JWT_JWKS_URL', () => {
      expect(verifierFor({ JWT_SECRET: SECRET }).enabled).toBe(true);
      expect(verifierFor({ JWT_JWKS_URL: 'http://127.0.0.1:1/jwks.json' }).enabled).toBe(true);
    });
  });

  describe('with JWT_SECRET (HS256)', () => {
    const verifier = verifierFor({ JWT_SECRET: SECRET });

    it('accepts a valid token and maps every claim', async () => {
      const iat = now() - 5;
      const exp = now() + 600;
      const token = await signHs({
        sub: 'user-42',
        email: 'ada@example.com',
        name: 'Ada Lovelace',
        workspace: 'acme',
        role: 'editor',
        iat,
        exp,
      });
      await expect(verifier.verify(token)).resolves.toEqual({
        subject: 'user-42',
        email: 'ada@example.com',
        name: 'Ada Lovelace',
        workspace: 'acme',
        role: 'editor',
        issuedAt: iat,
        expiresAt: exp,
      });
    });

    it('maps absent or mistyped optional claims to null and numeric workspaces to strings', async () => {
      const token = await signHs({ sub: 'u1', exp: now() + 60, email: 42, name: [], workspace: 7 });
      await expect(verifier.verify(token)).resolves.toEqual({
        subject: 'u1',
        email: null,
        name: null,
        workspace: '7',
        role: null,
        issuedAt: null,
        expiresAt: expect.any(Number),
      });
    });

    it('reads the workspace and role from the configured claim names', async () => {
      const custom = verifierFor({
        JWT_SECRET: SECRET,
        JWT_WORKSPACE_CLAIM: 'https://ps.example/workspace',
        JWT_ROLE_CLAIM: 'roles',
      });
      const token = await signHs(
        baseClaims({
          'https://ps.example/workspace': 'team-a',
          roles: ['viewer', 'admin'],
          workspace: 'ignored',
          role: 'owner',
        }),
      );
      const verified = await custom.verify(token);
      expect(verified.workspace).toBe('team-a');
      expect(verified.role).toBe('admin');
    });

    it('refuses an expired token', async () => {
      const token = await signHs(baseClaims({ iat: now() - 3600, exp: now() - 120 }));
      await expectRefused(verifier.verify(token), token, 'The bearer token has expired.');
    });

    it('allows 30 seconds of clock skew on exp', async () => {
      const token = await signHs(baseClaims({ iat: now() - 3600, exp: now() - 10 }));
      await expect(verifier.verify(token)).resolves.toMatchObject({ subject: 'user-42' });
    });

    it('refuses a token that is not valid yet (nbf)', async () => {
      const token = await signHs(baseClaims({ nbf: now() + 300 }));
      await expectRefused(verifier.verify(token), token, /not valid yet/);
    });

    it('refuses a token signed with another secret', async () => {
      const token = await signHs(baseClaims(), OTHER_SECRET);
      await expectRefused(
        verifier.verify(token),
        token,
        'The bearer token signature is not valid.',
      );
    });

    it('refuses a token whose payload was altered after signing', async () => {
      const [header, , signature] = (await signHs(baseClaims())).split('.');
      const token = `${header}.${b64url(baseClaims({ role: 'owner' }))}.${signature}`;
      await expectRefused(
        verifier.verify(token),
        token,
        'The bearer token signature is not valid.',
      );
    });

    it('refuses alg none', async () => {
      const token = `${b64url({ alg: 'none', typ: 'JWT' })}.${b64url(baseClaims())}.`;
      await expectRefused(
        verifier.verify(token),
        token,
        'The bearer token algorithm none is not accepted.',
      );
      const shouting = `${b64url({ alg: 'NONE', typ: 'JWT' })}.${b64url(baseClaims())}.`;
      await expectRefused(
        verifier.verify(shouting),
        shouting,
        'The bearer token algorithm none is not accepted.',
      );
    });

    it.each(['HS384', 'HS512'] as const)(
      'refuses %s even when signed with the secret',
      async (alg) => {
        const token = await signHs(baseClaims(), SECRET, alg);
        await expectRefused(
          verifier.verify(token),
          token,
          `The bearer token algorithm ${alg} is not accepted. Only HS256 is accepted with JWT_SECRET.`,
        );
      },
    );

    it('refuses asymmetric algorithms when no JWKS is configured', async () => {
      const { privateKey } = await generateKeyPair('RS256');
      const token = await signRs(baseClaims(), privateKey);
      await expectRefused(verifier.verify(token), token, /algorithm RS256 is not accepted/);
    });

    it('does not echo an unusual alg header value', async () => {
      const alg = 'x'.repeat(40);
      const token = `${b64url({ alg, typ: 'JWT' })}.${b64url(baseClaims())}.c2ln`;
      const error = await expectRefused(verifier.verify(token), token, /algorithm is not accepted/);
      expect(error.message).not.toContain(alg);
    });

    it('refuses a token without sub', async () => {
      const token = await signHs({ exp: now() + 600 });
      await expectRefused(
        verifier.verify(token),
        token,
        'The bearer token has no subject (sub) claim.',
      );
    });

    it('refuses a token with an empty sub', async () => {
      const token = await signHs({ sub: '', exp: now() + 600 });
      await expectRefused(verifier.verify(token), token, /no subject \(sub\) claim/);
    });

    it('refuses a token without exp', async () => {
      const token = await signHs({ sub: 'user-42', iat: now() });
      await expectRefused(verifier.verify(token), token, /has no expiry \(exp\) claim/);
    });

    it.each(['abc', 'a.b.c', '', 'a.b', '...', 'x'.repeat(20_000)])(
      'refuses the malformed token %#',
      async (token) => {
        await expectRefused(verifier.verify(token), token, 'The bearer token is malformed.');
      },
    );

    it('refuses a well-formed header with a payload that is not JSON', async () => {
      const token = `${b64url({ alg: 'HS256', typ: 'JWT' })}.bm90IGpzb24.c2ln`;
      await expectRefused(verifier.verify(token), token, /malformed|signature is not valid/);
    });

    it('maps an unknown role to null', async () => {
      for (const role of ['superuser', 'Owner', 3, { admin: true }, ['root']]) {
        const token = await signHs(baseClaims({ role }));
        await expect(verifier.verify(token)).resolves.toMatchObject({ role: null });
      }
    });

    it('takes the highest role from an array of roles', async () => {
      const cases: [unknown[], string | null][] = [
        [['viewer', 'editor'], 'editor'],
        [['editor', 'owner', 'admin'], 'owner'],
        [['nobody', 'viewer'], 'viewer'],
        [['admin'], 'admin'],
        [[], null],
      ];
      for (const [role, expected] of cases) {
        const token = await signHs(baseClaims({ role }));
        await expect(verifier.verify(token)).resolves.toMatchObject({ role: expected });
      }
    });
  });

  describe('issuer and audience', () => {
    const verifier = verifierFor({
      JWT_SECRET: SECRET,
      JWT_ISSUER: 'https://idp.example',
      JWT_AUDIENCE: 'prompt-studio',
    });

    it('accepts the configured issuer and audience (also within an aud array)', async () => {
      for (const aud of ['prompt-studio', ['other', 'prompt-studio']]) {
        const token = await signHs(baseClaims({ iss: 'https://idp.example', aud }));
        await expect(verifier.verify(token)).resolves.toMatchObject({ subject: 'user-42' });
      }
    });

    it('refuses a wrong issuer', async () => {
      const token = await signHs(baseClaims({ iss: 'https://evil.example', aud: 'prompt-studio' }));
      await expectRefused(
        verifier.verify(token),
        token,
        'The bearer token issuer is not accepted.',
      );
    });

    it('refuses a missing issuer', async () => {
      const token = await signHs(baseClaims({ aud: 'prompt-studio' }));
      await expectRefused(verifier.verify(token), token, /no issuer \(iss\) claim/);
    });

    it('refuses a wrong audience', async () => {
      const token = await signHs(baseClaims({ iss: 'https://idp.example', aud: 'someone-else' }));
      await expectRefused(
        verifier.verify(token),
        token,
        'The bearer token audience is not accepted.',
      );
    });

    it('refuses a missing audience', async () => {
      const token = await signHs(baseClaims({ iss: 'https://idp.example' }));
      await expectRefused(verifier.verify(token), token, /no audience \(aud\) claim/);
    });
  });

  describe('with JWT_JWKS_URL', () => {
    let server: Server;
    let jwksUrl: string;
    let privateKey: KeyLike;
    let publicKeyPem: string;
    let publicJwkJson: string;
    let otherPrivateKey: KeyLike;

    beforeAll(async () => {
      const pair = await generateKeyPair('RS256');
      privateKey = pair.privateKey;
      publicKeyPem = await exportSPKI(pair.publicKey);
      otherPrivateKey = (await generateKeyPair('RS256')).privateKey;
      const jwk = { ...(await exportJWK(pair.publicKey)), kid: KID, alg: 'RS256', use: 'sig' };
      publicJwkJson = JSON.stringify(jwk);
      const body = JSON.stringify({ keys: [jwk] });
      server = createServer((req, res) => {
        if (req.url === '/.well-known/jwks.json') {
          res.writeHead(200, { 'content-type': 'application/json' }).end(body);
        } else {
          res.writeHead(404).end();
        }
      });
      const port = await listen(server);
      jwksUrl = `http://127.0.0.1:${port}/.well-known/jwks.json`;
    });

    afterAll(async () => {
      await close(server);
    });

    it('accepts a valid RS256 token and maps its claims', async () => {
      const verifier = verifierFor({ JWT_JWKS_URL: jwksUrl });
      const token = await signRs(
        baseClaims({ email: 'bob@example.com', workspace: 'ws-1', role: 'viewer' }),
        privateKey,
      );
      await expect(verifier.verify(token)).resolves.toMatchObject({
        subject: 'user-42',
        email: 'bob@example.com',
        workspace: 'ws-1',
        role: 'viewer',
      });
    });

    it('refuses a token signed by another RSA key under the same kid', async () => {
      const verifier = verifierFor({ JWT_JWKS_URL: jwksUrl });
      const token = await signRs(baseClaims(), otherPrivateKey);
      await expectRefused(
        verifier.verify(token),
        token,
        'The bearer token signature is not valid.',
      );
    });

    it('refuses a token signed by a key that is not in the key set', async () => {
      const verifier = verifierFor({ JWT_JWKS_URL: jwksUrl });
      const token = await signRs(baseClaims(), otherPrivateKey, 'unknown-kid');
      await expectRefused(verifier.verify(token), token, /not in the key set/);
    });

    it('refuses an HS256 token forged with the public key when only JWKS is configured', async () => {
      const verifier = verifierFor({ JWT_JWKS_URL: jwksUrl });
      for (const secret of [publicKeyPem, publicJwkJson]) {
        const token = await signHs(baseClaims(), secret);
        await expectRefused(verifier.verify(token), token, /algorithm HS256 is not accepted/);
      }
    });

    it('refuses an HS256 token forged with the public key when both are configured', async () => {
      const verifier = verifierFor({ JWT_JWKS_URL: jwksUrl, JWT_SECRET: SECRET });
      const token = await signHs(baseClaims(), publicKeyPem);
      await expectRefused(
        verifier.verify(token),
        token,
        'The bearer token signature is not valid.',
      );
    });

    it('picks the secret for HS256 and the key set for RS256 when both are configured', async () => {
      const verifier = verifierFor({ JWT_JWKS_URL: jwksUrl, JWT_SECRET: SECRET });
      const hs = await signHs(baseClaims({ sub: 'via-secret' }));
      const rs = await signRs(baseClaims({ sub: 'via-jwks' }), privateKey);
      await expect(verifier.verify(hs)).resolves.toMatchObject({ subject: 'via-secret' });
      await expect(verifier.verify(rs)).resolves.toMatchObject({ subject: 'via-jwks' });
    });

    it('refuses alg none and expired tokens on the JWKS path too', async () => {
      const verifier = verifierFor({ JWT_JWKS_URL: jwksUrl });
      const none = `${b64url({ alg: 'none', kid: KID })}.${b64url(baseClaims())}.`;
      await expectRefused(verifier.verify(none), none, /algorithm none is not accepted/);
      const expired = await signRs(baseClaims({ exp: now() - 120 }), privateKey);
      await expectRefused(verifier.verify(expired), expired, 'The bearer token has expired.');
    });

    it('reports an unreachable key set as invalid credentials', async () => {
      const closed = createServer();
      const port = await listen(closed);
      await close(closed);
      const verifier = verifierFor({ JWT_JWKS_URL: `http://127.0.0.1:${port}/jwks.json` });
      const token = await signRs(baseClaims(), privateKey);
      await expectRefused(verifier.verify(token), token, /key set .* could not be fetched/);
    });

    it('reports a key set URL that does not answer 200 as invalid credentials', async () => {
      const verifier = verifierFor({ JWT_JWKS_URL: jwksUrl.replace('jwks.json', 'missing.json') });
      const token = await signRs(baseClaims(), privateKey);
      await expectRefused(verifier.verify(token), token, /key set .* could not be fetched/);
    });
  });
});

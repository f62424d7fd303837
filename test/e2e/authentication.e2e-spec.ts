import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, type KeyLike, SignJWT } from 'jose';
import { DataSource } from '@ps/database';
import { createKey } from '../../apps/api/src/admin/admin-commands';
import { BASE, randomApiKey, startTestApp, type TestApp } from '../support/test-app';

const SECRET = 'a-test-secret-that-is-long-enough-for-hs256-0123456789';

function hsToken(
  claims: Record<string, unknown>,
  options: { secret?: string; expiresIn?: string } = {},
) {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(typeof claims.sub === 'string' ? claims.sub : 'user-1')
    .setIssuedAt()
    .setIssuer('https://issuer.example')
    .setAudience('prompt-studio')
    .setExpirationTime(options.expiresIn ?? '5m')
    .sign(new TextEncoder().encode(options.secret ?? SECRET));
}

describe('API keys', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
  });

  afterAll(async () => {
    await t.close();
  });

  const listProjects = (key: string) =>
    t.anonymous().get(`${BASE}/projects/list`).set('X-API-Key', key);

  it('asks for credentials with 401 unauthenticated and WWW-Authenticate', async () => {
    const res = await t.anonymous().get(`${BASE}/projects/list`).expect(401);
    expect(res.body).toMatchObject({ code: 'unauthenticated', status: 401 });
    expect(res.headers['www-authenticate']).toMatch(/Bearer/);
  });

  it.each([
    ['malformed', 'not-a-key', 'The API key is malformed.'],
    ['unknown', randomApiKey(), 'The API key is not valid.'],
  ])('refuses a %s key', async (_kind, key, detail) => {
    const res = await listProjects(key).expect(401);
    expect(res.body).toMatchObject({ code: 'invalid_credentials', detail });
    expect(JSON.stringify(res.body)).not.toContain(key);
  });

  it('refuses a key that differs from a real one only after its visible prefix', async () => {
    const forged = t.ownerKey.slice(0, 16) + 'x'.repeat(t.ownerKey.length - 16);
    await listProjects(forged).expect(401);
  });

  it('accepts a key sent as a bearer token', async () => {
    await t
      .anonymous()
      .get(`${BASE}/projects/list`)
      .set('Authorization', `Bearer ${t.ownerKey}`)
      .expect(200);
  });

  it('shows a new key once; lists never include it or its hash', async () => {
    const created = await t
      .http()
      .post(`${BASE}/api-keys/create`)
      .send({ name: 'ci', scopes: ['read'] })
      .expect(201);
    expect(created.body.key).toMatch(/^pstudio_/);
    expect(created.body.prefix).toBe(created.body.key.slice(0, 16));
    const list = await t.http().get(`${BASE}/api-keys/list`).expect(200);
    const text = JSON.stringify(list.body);
    expect(text).not.toContain(created.body.key);
    expect(text).not.toContain(t.ownerKey);
    expect(text).not.toMatch(/"hash"|"key"/);
    expect(list.body.items.map((k: { id: number }) => k.id)).toContain(created.body.id);
  });

  it('limits a key to its scopes', async () => {
    const readOnly = await t
      .http()
      .post(`${BASE}/api-keys/create`)
      .send({ name: 'ro', scopes: ['read'] })
      .expect(201);
    await listProjects(readOnly.body.key).expect(200);
    const res = await t
      .anonymous()
      .post(`${BASE}/projects/create`)
      .set('X-API-Key', readOnly.body.key)
      .send({ name: 'not allowed' })
      .expect(403);
    expect(res.body.code).toBe('forbidden');
  });

  it('refuses a revoked key at once', async () => {
    const created = await t
      .http()
      .post(`${BASE}/api-keys/create`)
      .send({ name: 'temp' })
      .expect(201);
    await listProjects(created.body.key).expect(200);
    const revoked = await t.http().post(`${BASE}/api-keys/${created.body.id}/revoke`).expect(200);
    expect(revoked.body.revoked_at).not.toBeNull();
    const res = await listProjects(created.body.key).expect(401);
    expect(res.body.detail).toBe('The API key has been revoked.');
  });

  it('refuses an expired key', async () => {
    const created = await t
      .http()
      .post(`${BASE}/api-keys/create`)
      .send({ name: 'short', expires_in_days: 1 })
      .expect(201);
    await listProjects(created.body.key).expect(200);
    await t.app
      .get(DataSource)
      .query(`UPDATE api_keys SET expires_at = now() - interval '1 second' WHERE id = $1`, [
        created.body.id,
      ]);
    const res = await listProjects(created.body.key).expect(401);
    expect(res.body.detail).toBe('The API key has expired.');
  });

  it('rejects keys that would outlive validation: past expiry, both expiry forms', async () => {
    await t
      .http()
      .post(`${BASE}/api-keys/create`)
      .send({ name: 'x', expires_at: '2000-01-01T00:00:00Z' })
      .expect(400);
    await t
      .http()
      .post(`${BASE}/api-keys/create`)
      .send({ name: 'x', expires_at: '2999-01-01T00:00:00Z', expires_in_days: 3 })
      .expect(400);
  });

  it('records when a key was last used', async () => {
    const created = await t
      .http()
      .post(`${BASE}/api-keys/create`)
      .send({ name: 'used' })
      .expect(201);
    expect(created.body.last_used_at).toBeNull();
    await listProjects(created.body.key).expect(200);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const list = await t.http().get(`${BASE}/api-keys/list?per_page=100`).expect(200);
    const row = list.body.items.find((k: { id: number }) => k.id === created.body.id);
    expect(row.last_used_at).not.toBeNull();
  });

  it("revokes a removed member's keys, and keeps the last owner", async () => {
    const member = await t
      .http()
      .post(`${BASE}/members/create`)
      .send({ email: 'leaver@example.com', role: 'editor' })
      .expect(201);
    const key = await t
      .http()
      .post(`${BASE}/api-keys/create`)
      .send({ name: 'leaver', user_id: member.body.user_id })
      .expect(201);
    await listProjects(key.body.key).expect(200);
    await t.http().delete(`${BASE}/members/${member.body.user_id}`).expect(204);
    await listProjects(key.body.key).expect(401);

    const me = await t.http().get(`${BASE}/workspaces/current`).expect(200);
    const res = await t
      .http()
      .put(`${BASE}/members/${me.body.user_id}`)
      .send({ role: 'admin' })
      .expect(409);
    expect(res.body.code).toBe('conflict');
  });

  it('lets only owners grant the owner role, and keys never exceed their creator', async () => {
    const admin = await t
      .http()
      .post(`${BASE}/members/create`)
      .send({ email: 'adm@example.com', role: 'admin' })
      .expect(201);
    const adminKey = (
      await t
        .http()
        .post(`${BASE}/api-keys/create`)
        .send({ name: 'adm', user_id: admin.body.user_id, scopes: ['read', 'write', 'admin'] })
    ).body.key;
    const asAdmin = () => t.anonymous().set('X-API-Key', adminKey);
    const res = await asAdmin()
      .post(`${BASE}/members/create`)
      .send({ email: 'o2@example.com', role: 'owner' })
      .expect(403);
    expect(res.body.code).toBe('forbidden');
    const editor = await asAdmin()
      .post(`${BASE}/members/create`)
      .send({ email: 'ed@example.com', role: 'editor' })
      .expect(201);
    expect(editor.body.role).toBe('editor');
  });
});

describe('JWT bearer tokens (HS256)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({
      env: {
        JWT_SECRET: SECRET,
        JWT_ISSUER: 'https://issuer.example',
        JWT_AUDIENCE: 'prompt-studio',
      },
    });
    await t
      .http()
      .post(`${BASE}/members/create`)
      .send({ email: 'jo@example.com', role: 'editor' })
      .expect(201);
  });

  afterAll(async () => {
    await t.close();
  });

  const withToken = (token: string) =>
    t.anonymous().get(`${BASE}/workspaces/current`).set('Authorization', `Bearer ${token}`);

  it('maps a member by email to their membership and links the subject', async () => {
    const token = await hsToken({ sub: 'idp|jo', email: 'jo@example.com', workspace: 'default' });
    const res = await withToken(token).expect(200);
    expect(res.body).toMatchObject({ slug: 'default', role: 'editor' });
    // Linked: the subject alone now finds the user.
    const again = await withToken(await hsToken({ sub: 'idp|jo', workspace: 'default' })).expect(
      200,
    );
    expect(again.body.user_id).toBe(res.body.user_id);
  });

  it('lets a role claim narrow the role but never widen it', async () => {
    const narrower = await withToken(
      await hsToken({ sub: 'idp|jo', workspace: 'default', role: 'viewer' }),
    ).expect(200);
    expect(narrower.body.role).toBe('viewer');
    const wider = await withToken(
      await hsToken({ sub: 'idp|jo', workspace: 'default', role: 'owner' }),
    ).expect(200);
    expect(wider.body.role).toBe('editor');
  });

  it.each([
    [
      'signed with another key',
      () =>
        hsToken(
          { sub: 'idp|jo', workspace: 'default' },
          { secret: 'another-secret-that-is-long-enough-0123456789abcdef' },
        ),
    ],
    ['expired', () => hsToken({ sub: 'idp|jo', workspace: 'default' }, { expiresIn: '-1m' })],
    [
      'for another audience',
      () =>
        new SignJWT({ workspace: 'default' })
          .setProtectedHeader({ alg: 'HS256' })
          .setSubject('idp|jo')
          .setIssuer('https://issuer.example')
          .setAudience('someone-else')
          .setExpirationTime('5m')
          .sign(new TextEncoder().encode(SECRET)),
    ],
    [
      'with alg none',
      () => {
        const part = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
        const exp = Math.floor(Date.now() / 1000) + 300;
        return `${part({ alg: 'none', typ: 'JWT' })}.${part({ sub: 'idp|jo', workspace: 'default', iss: 'https://issuer.example', aud: 'prompt-studio', exp })}.`;
      },
    ],
    [
      'of a non-member',
      () => hsToken({ sub: 'idp|stranger', email: 'stranger@example.com', workspace: 'default' }),
    ],
    ['for an unknown workspace', () => hsToken({ sub: 'idp|jo', workspace: 'nowhere' })],
  ])('refuses a token %s', async (_case, make) => {
    const token = await make();
    const res = await withToken(token).expect(401);
    expect(res.body.code).toBe('invalid_credentials');
    expect(JSON.stringify(res.body)).not.toContain(token);
  });
});

describe('JWT bearer tokens from a JWKS issuer with auto-provisioning', () => {
  let t: TestApp;
  let server: Server;
  let privateKey: KeyLike;

  beforeAll(async () => {
    const pair = await generateKeyPair('RS256');
    privateKey = pair.privateKey;
    const jwk = { ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
    server = createServer((_req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ keys: [jwk] }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    t = await startTestApp({
      env: {
        AUTH_MODE: 'multi_user',
        JWT_JWKS_URL: `http://127.0.0.1:${port}/jwks.json`,
        JWT_AUDIENCE: 'prompt-studio',
        JWT_AUTO_PROVISION: 'true',
      },
    });
    await createKey(t.app.get(DataSource), { workspace: 'acme', role: 'owner' });
  });

  afterAll(async () => {
    await t.close();
    await new Promise((resolve) => server.close(resolve));
  });

  const rsToken = (claims: Record<string, unknown>) =>
    new SignJWT(claims)
      .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
      .setSubject('oidc|ada')
      .setAudience('prompt-studio')
      .setExpirationTime('5m')
      .sign(privateKey);

  it('creates the user and membership from the claims', async () => {
    const token = await rsToken({ email: 'ada@acme.example', workspace: 'acme', role: 'editor' });
    const res = await t
      .anonymous()
      .get(`${BASE}/workspaces/current`)
      .set('Authorization', `Bearer ${token}`)
      .expect(200);
    expect(res.body).toMatchObject({ slug: 'acme', role: 'editor' });
    await t
      .anonymous()
      .post(`${BASE}/projects/create`)
      .set('Authorization', `Bearer ${token}`)
      .send({ name: 'From OIDC' })
      .expect(201);
  });

  it('follows the identity provider when the role claim changes', async () => {
    const token = await rsToken({ workspace: 'acme', role: 'viewer' });
    const res = await t
      .anonymous()
      .get(`${BASE}/workspaces/current`)
      .set('Authorization', `Bearer ${token}`)
      .expect(200);
    expect(res.body.role).toBe('viewer');
  });

  it('creates no owner key in multi_user mode', async () => {
    await t.anonymous().get(`${BASE}/projects/list`).set('X-API-Key', t.ownerKey).expect(401);
  });
});

describe('AUTH_MODE=none', () => {
  it('is refused unless the server listens on loopback', async () => {
    await expect(startTestApp({ env: { AUTH_MODE: 'none', HOST: '0.0.0.0' } })).rejects.toThrow(
      /AUTH_MODE: none is only allowed when HOST is a loopback address/,
    );
  });

  it('serves requests without credentials on loopback', async () => {
    const t = await startTestApp({ env: { AUTH_MODE: 'none', HOST: '127.0.0.1' } });
    try {
      await t.anonymous().post(`${BASE}/projects/create`).send({ name: 'Open' }).expect(201);
      const audit = await t.anonymous().get(`${BASE}/audit/list`).expect(200);
      expect(audit.body.items[0]).toMatchObject({ action: 'project.create' });
    } finally {
      await t.close();
    }
  });
});

describe('audit log', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
  });

  afterAll(async () => {
    await t.close();
  });

  it('records creates, updates, deletes and key changes with actor, key and request id', async () => {
    const project = await t
      .http()
      .post(`${BASE}/projects/create`)
      .set('X-Request-ID', 'audit-req-1')
      .send({ name: 'Audited' })
      .expect(201);
    await t
      .http()
      .put(`${BASE}/projects/${project.body.id}`)
      .send({ description: 'd' })
      .expect(200);
    await t.http().delete(`${BASE}/projects/${project.body.id}`).expect(204);
    const key = await t
      .http()
      .post(`${BASE}/api-keys/create`)
      .send({ name: 'audited key' })
      .expect(201);
    await t.http().post(`${BASE}/api-keys/${key.body.id}/revoke`).expect(200);

    const audit = await t.http().get(`${BASE}/audit/list?per_page=100`).expect(200);
    const actions = audit.body.items.map((e: { action: string }) => e.action);
    expect(actions).toEqual(
      expect.arrayContaining([
        'project.create',
        'project.update',
        'project.delete',
        'api_key.create',
        'api_key.revoke',
      ]),
    );
    const created = audit.body.items.find((e: { action: string }) => e.action === 'project.create');
    expect(created).toMatchObject({
      entity_type: 'project',
      entity_id: project.body.id,
      request_id: 'audit-req-1',
    });
    expect(created.actor_user_id).toEqual(expect.any(Number));
    expect(created.actor_api_key_id).toEqual(expect.any(Number));
    expect(JSON.stringify(audit.body)).not.toContain(key.body.key);
  });

  it('does not record a replayed idempotent create twice, nor failed requests', async () => {
    for (let i = 0; i < 3; i++) {
      await t
        .http()
        .post(`${BASE}/projects/create`)
        .set('Idempotency-Key', 'audit-once')
        .send({ name: 'Once' })
        .expect(201);
    }
    await t.http().post(`${BASE}/projects/create`).send({ name: 'Once' }).expect(409);
    const audit = await t
      .http()
      .get(`${BASE}/audit/list?action=project.create&per_page=100`)
      .expect(200);
    const once = audit.body.items.filter((e: { details: { path: string } }) =>
      e.details.path.endsWith('/projects/create'),
    );
    const project = await t.http().get(`${BASE}/projects/list?search=Once`).expect(200);
    expect(
      once.filter((e: { entity_id: number }) => e.entity_id === project.body.items[0].id),
    ).toHaveLength(1);
  });

  it('filters by action and entity', async () => {
    const res = await t.http().get(`${BASE}/audit/list?entity_type=api_key`).expect(200);
    expect(res.body.items.every((e: { entity_type: string }) => e.entity_type === 'api_key')).toBe(
      true,
    );
  });
});

describe('HTTP hygiene', () => {
  it('sends security headers and CORS only for configured origins', async () => {
    const t = await startTestApp({ env: { CORS_ORIGINS: 'https://studio.example.com' } });
    try {
      const res = await t.http().get(`${BASE}/projects/list`).expect(200);
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['x-frame-options']).toBeDefined();
      const allowed = await t
        .anonymous()
        .options(`${BASE}/projects/list`)
        .set('Origin', 'https://studio.example.com')
        .set('Access-Control-Request-Method', 'GET')
        .set('Access-Control-Request-Headers', 'x-api-key');
      expect(allowed.headers['access-control-allow-origin']).toBe('https://studio.example.com');
      const other = await t
        .anonymous()
        .options(`${BASE}/projects/list`)
        .set('Origin', 'https://evil.example.com')
        .set('Access-Control-Request-Method', 'GET');
      expect(other.headers['access-control-allow-origin']).toBeUndefined();
    } finally {
      await t.close();
    }
  });
});

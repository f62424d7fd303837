import { type FormEvent, useState } from 'react';
import {
  type CredentialKind,
  type Credentials,
  createStudioClient,
  getCurrentWorkspace,
  unwrap,
} from '../api/studio';
import { ErrorNotice } from '../components/ui';
import { useTitle } from '../lib/router';

/**
 * Sign in with an API key (X-API-Key) or a bearer token (a JWT when the server has JWT_SECRET or
 * JWT_JWKS_URL). The credentials are checked against the API before they are kept, in
 * sessionStorage only.
 */
export function SignInView({ onSignIn }: { onSignIn: (c: Credentials) => void }) {
  useTitle('Sign in');
  const [kind, setKind] = useState<CredentialKind>('api_key');
  const [secret, setSecret] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const credentials = { kind, secret: secret.trim() };
    if (!credentials.secret) {
      setError(new Error(kind === 'api_key' ? 'Enter an API key.' : 'Enter a token.'));
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await unwrap(getCurrentWorkspace({ client: createStudioClient(credentials) }));
      onSignIn(credentials);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <main id="main" className="signin">
      <form
        className="card signin-card"
        onSubmit={(e) => void submit(e)}
        aria-labelledby="signin-title"
      >
        <h1 id="signin-title">Sign in to Prompt Studio</h1>
        <fieldset className="segmented">
          <legend>Credential</legend>
          <label>
            <input
              type="radio"
              name="kind"
              value="api_key"
              checked={kind === 'api_key'}
              onChange={() => setKind('api_key')}
            />
            API key
          </label>
          <label>
            <input
              type="radio"
              name="kind"
              value="bearer"
              checked={kind === 'bearer'}
              onChange={() => setKind('bearer')}
            />
            Bearer token (JWT)
          </label>
        </fieldset>
        <div className="field">
          <label htmlFor="secret">{kind === 'api_key' ? 'Your API key' : 'Your token'}</label>
          <input
            id="secret"
            type="password"
            autoComplete="off"
            spellCheck={false}
            value={secret}
            onChange={(e) => setSecret(e.target.value)}
            aria-describedby="secret-hint"
          />
          <small id="secret-hint" className="muted">
            {kind === 'api_key'
              ? 'A key starting with pstudio_. The first `npm start` saves the owner key to ./data/owner-api-key.'
              : 'A JWT your identity provider issued, when the server is configured for JWT.'}{' '}
            Kept for this browser tab only.
          </small>
        </div>
        <ErrorNotice error={error} title="Sign-in failed" />
        <button type="submit" className="button-primary" disabled={busy}>
          {busy ? 'Checking…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}

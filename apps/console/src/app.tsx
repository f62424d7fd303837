import { useCallback, useState } from 'react';
import { loadCredentials, clearCredentials, saveCredentials } from './api/session';
import { SessionContext, useLiveStatus, useSession, useSessionValue } from './api/session-context';
import type { Credentials } from './api/studio';
import { Link, match, navigate, useLocation } from './lib/router';
import { SignInView } from './views/sign-in-view';
import { ProjectsView } from './views/projects-view';
import { ProjectLayout } from './views/project-layout';
import { NotFoundView } from './views/not-found-view';

export function App() {
  const [credentials, setCredentials] = useState<Credentials | null>(loadCredentials);
  const signIn = useCallback((c: Credentials) => {
    saveCredentials(c);
    setCredentials(c);
  }, []);
  const signOut = useCallback(() => {
    clearCredentials();
    setCredentials(null);
    navigate('/');
  }, []);
  if (!credentials) return <SignInView onSignIn={signIn} />;
  return <SignedIn credentials={credentials} signOut={signOut} />;
}

function SignedIn({ credentials, signOut }: { credentials: Credentials; signOut: () => void }) {
  const session = useSessionValue(credentials, signOut);
  return (
    <SessionContext.Provider value={session}>
      <Shell />
    </SessionContext.Provider>
  );
}

function LiveIndicator() {
  const { status, received } = useLiveStatus();
  const text = status === 'live' ? 'Live' : status === 'connecting' ? 'Connecting' : 'Offline';
  return (
    <span
      className={`live live-${status}`}
      data-testid="live-status"
      data-events={received}
      title={`${received} live events received`}
    >
      <span className="live-dot" aria-hidden="true" />
      {text}
    </span>
  );
}

function Shell() {
  const { signOut } = useSession();
  const { path } = useLocation();
  const projectRoute = match('/projects/:projectId', path.split('/').slice(0, 3).join('/'));
  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <Link to="/" className="brand">
          Prompt Studio
        </Link>
        <div className="topbar-right">
          <LiveIndicator />
          <a href="/docs" className="topbar-link">
            API docs
          </a>
          <button type="button" className="button-quiet" onClick={signOut}>
            Sign out
          </button>
        </div>
      </header>
      {path === '/' || path === '/projects' ? (
        <main id="main" tabIndex={-1}>
          <ProjectsView />
        </main>
      ) : projectRoute && /^\d+$/.test(projectRoute.projectId) ? (
        <ProjectLayout projectId={Number(projectRoute.projectId)} path={path} />
      ) : (
        <main id="main" tabIndex={-1}>
          <NotFoundView />
        </main>
      )}
    </>
  );
}

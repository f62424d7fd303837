import { Link, useTitle } from '../lib/router';

export function NotFoundView({ what = 'page' }: { what?: string }) {
  useTitle('Not found');
  return (
    <div className="page">
      <h1>No such {what}</h1>
      <p>
        It may have been deleted, or the address is wrong. <Link to="/">Back to the projects</Link>.
      </p>
    </div>
  );
}

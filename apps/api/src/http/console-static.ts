import { existsSync } from 'node:fs';
import { basename, dirname, extname, join, sep } from 'node:path';
import express, {
  type NextFunction,
  type Request,
  type RequestHandler,
  type Response,
} from 'express';

/**
 * The web console (apps/console, built by Vite into apps/console/dist) served at `/`: its files
 * as they are, and its index.html for any other page path a browser asks for (the console routes
 * in the browser). Nothing under the API's own paths is touched, so API routes, their JSON 404s,
 * health, metrics, docs and the realtime endpoints behave as before.
 */

/** Paths the console never answers (exactly, or as a prefix followed by `/`). */
const RESERVED = [
  '/api',
  '/health',
  '/metrics',
  '/docs',
  '/docs-json',
  '/openapi.json',
  '/socket.io',
  '/ws',
];

/**
 * The console's pages talk to this origin only (HTTP and its WebSocket). Unlike helmet's default
 * policy this one does not upgrade requests to https, which would break a console reached over
 * plain http on another host.
 */
const CONSOLE_CSP = [
  "default-src 'self'",
  "base-uri 'self'",
  "connect-src 'self'",
  "font-src 'self' data:",
  "form-action 'self'",
  "frame-ancestors 'self'",
  "img-src 'self' data: blob:",
  "object-src 'none'",
  "script-src 'self'",
  "script-src-attr 'none'",
  "style-src 'self' 'unsafe-inline'",
].join('; ');

const NOT_BUILT = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Prompt Studio: console not built</title>
<style>body{font-family:system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem;line-height:1.5;color:#1b1f24}code{background:#f3f4f6;padding:.1rem .3rem;border-radius:4px}</style>
</head><body><main>
<h1>The web console has not been built</h1>
<p>This server runs the Prompt Studio API, but the console's files (<code>apps/console/dist</code>) are missing.</p>
<p>Build them with <code>npm run build:console</code> (or <code>npm run build</code>; <code>npm start</code> builds them when needed), then reload this page.</p>
<p>The API itself works: see <a href="/docs">/docs</a> and <a href="/openapi.json">/openapi.json</a>.</p>
</main></body></html>
`;

/** The repository (or image) root: the nearest folder above this file with a package.json. */
function projectRoot(from = __dirname): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) return process.cwd();
  }
}

export function defaultConsoleDir(): string {
  return join(projectRoot(), 'apps/console/dist');
}

function reserved(path: string): boolean {
  return RESERVED.some((p) => path === p || path.startsWith(`${p}/`));
}

export function consoleMiddleware(dir: string = defaultConsoleDir()): RequestHandler {
  const files = express.static(dir, {
    index: false,
    redirect: false,
    fallthrough: true,
    setHeaders: (res, path) => {
      // Vite names built assets by content hash: they never change under the same name.
      if (path.startsWith(join(dir, 'assets') + sep)) {
        res.setHeader('Cache-Control', 'public, max-age=31536000, immutable');
      } else {
        res.setHeader('Cache-Control', 'no-cache');
      }
      if (extname(path) === '.html') res.setHeader('Content-Security-Policy', CONSOLE_CSP);
    },
  });
  const index = join(dir, 'index.html');

  return (req: Request, res: Response, next: NextFunction) => {
    if ((req.method !== 'GET' && req.method !== 'HEAD') || reserved(req.path)) return next();
    files(req, res, (err?: unknown) => {
      if (err) return next(err);
      // A file that is not there (a stale asset name, a typo, a dotfile) is a 404, never the page.
      if (basename(req.path).includes('.') || !req.accepts('html')) return next();
      res.setHeader('Content-Security-Policy', CONSOLE_CSP);
      res.setHeader('Cache-Control', 'no-cache');
      if (!existsSync(index)) {
        res.status(404).type('html').send(NOT_BUILT);
        return;
      }
      res.sendFile(index, (sendErr?: Error) => {
        if (sendErr && !res.headersSent) next(sendErr);
      });
    });
  };
}

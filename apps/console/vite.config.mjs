// The web console's build: `npm run build:console` (or `npm start`, which builds it when its
// sources changed) writes apps/console/dist, which the API serves at `/`.
// `npm run console:dev` serves it with hot reload, proxying the API at CONSOLE_API_URL.
import process from 'node:process';
import { fileURLToPath, URL } from 'node:url';
import { defineConfig } from 'vite';

const here = (path) => fileURLToPath(new URL(path, import.meta.url));
const api = process.env.CONSOLE_API_URL ?? 'http://127.0.0.1:8000';

export default defineConfig({
  root: here('.'),
  base: '/',
  // The generated SDK and its typed Socket.IO layer, straight from the monorepo's sources.
  resolve: { alias: { '@sdk': here('../../libs/sdk/src') } },
  oxc: { jsx: { runtime: 'automatic' } },
  build: {
    outDir: here('dist'),
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    reportCompressedSize: false,
  },
  server: {
    proxy: {
      '/api': api,
      '/health': api,
      '/socket.io': { target: api, ws: true },
    },
  },
});

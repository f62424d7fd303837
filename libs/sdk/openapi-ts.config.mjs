// The generated client of libs/sdk: `npm run sdk:generate` writes src/generated from the
// committed openapi/openapi.json. SDK_GENERATE_OUTPUT redirects the output (the staleness test
// regenerates into a temporary folder and compares).
import process from 'node:process';
import { fileURLToPath, URL } from 'node:url';

const here = (path) => fileURLToPath(new URL(path, import.meta.url));

/** @type {import('@hey-api/openapi-ts').UserConfig} */
export default {
  input: here('../../openapi/openapi.json'),
  output: {
    path: process.env.SDK_GENERATE_OUTPUT ?? here('./src/generated'),
    clean: true,
  },
  plugins: [
    '@hey-api/client-fetch',
    '@hey-api/typescript',
    { name: '@hey-api/sdk', operations: { strategy: 'flat' } },
  ],
};

import './fetch-types';
// The generated client (every operation and type of openapi/openapi.json) …
export * from './generated';
export { type Client, createClient, createConfig } from './generated/client';
// … and the hand-written layer over it.
export * from './retry-fetch';
export * from './studio-client';
export * from './studio-events';

import type { Type } from '@nestjs/common';
import { ApiBody } from '@nestjs/swagger';

/** One named example of a request body, as OpenAPI's Example Object writes it. */
export interface BodyExample {
  summary: string;
  description?: string;
  value: Record<string, unknown>;
}

/**
 * Documents the JSON body of a route with named examples. Each example is a request a fresh
 * install accepts once its ids name real rows (the OpenAPI fuzz test sends every one of them),
 * and Spectral checks each against the schema (`npm run lint:openapi`).
 */
export const ApiBodyExamples = (type: Type, examples: Record<string, BodyExample>) =>
  ApiBody({ type, examples });

import type { Candidate } from './types';

/**
 * The text a proposer rewrites: the system prompt when the candidate has one (the instructions),
 * else the user prompt (which then carries the template variables the rewrite must keep).
 */
export function instructionOf(candidate: Candidate): string {
  return candidate.systemPrompt && candidate.systemPrompt.trim() !== ''
    ? candidate.systemPrompt
    : candidate.userPrompt;
}

/** The candidate with its instruction (see instructionOf) replaced. */
export function withInstruction(candidate: Candidate, text: string): Candidate {
  if (candidate.systemPrompt && candidate.systemPrompt.trim() !== '') {
    return { ...candidate, systemPrompt: text };
  }
  return { ...candidate, userPrompt: text };
}

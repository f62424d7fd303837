import { type FakeLlmOptions, type FakeLlmServer, startFakeLlm } from '../fake-llm';
import { type ScriptedWorld, worldUsage } from './world';

/**
 * A world behind the OpenAI-compatible fake server: every /v1/chat/completions request is
 * answered by the world (task or proposer, told apart by the request's text), and counted in
 * `world.calls` as well as in the server's `requests`. Point ChatOpenAI at `server.url + '/v1'`
 * with model `gpt-4o-mini` (the price the in-process twin charges).
 */
export function startWorldServer(
  world: ScriptedWorld,
  options: Omit<FakeLlmOptions, 'answer'> = {},
): Promise<FakeLlmServer> {
  return startFakeLlm({
    ...options,
    answer: (req) => world.answerWire(req),
    usage: (req, answer) => worldUsage(req.messages, answer),
  });
}

export * from './world';
export * from './world-server';
export * from './proposer-format';
export { createRuleWorld, RULE_TOPICS, RULE_DEFAULT_QUEUE, type CaseCounts } from './rule.world';
export { createDemosWorld, DEMO_FAMILIES } from './demos.world';
export { createParamsWorld, PARAMS_BAND, paramsRightChance } from './params.world';
export { createNullWorld, NULL_RIGHT } from './null.world';

import type { CaseCounts } from './rule.world';
import { createDemosWorld } from './demos.world';
import { createNullWorld } from './null.world';
import { createParamsWorld } from './params.world';
import { createRuleWorld } from './rule.world';
import type { ScriptedWorld, WorldName, WorldOptions } from './world';

export function createScriptedWorld(
  name: WorldName,
  counts: CaseCounts = {},
  options: WorldOptions = {},
): ScriptedWorld {
  switch (name) {
    case 'rule':
      return createRuleWorld(counts, options);
    case 'demos':
      return createDemosWorld(counts, options);
    case 'params':
      return createParamsWorld(counts, options);
    case 'null':
      return createNullWorld(counts, options);
  }
}

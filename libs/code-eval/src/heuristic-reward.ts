import { extractCode } from './code-extraction';
import { MIN_REWARD, scoreOfReward, successReward } from './program-reward';
import type { ProgramSpec } from './program-spec';
import { javascriptCodeOnly, pythonCodeOnly, staticCheck } from './static-checks';

export interface HeuristicReward {
  reward: number;
  score: number;
  checks: {
    code_found: boolean;
    static_checks: boolean;
    balanced: boolean;
    /** Names the case needs (called functions, the metric variable, constraint names) that the code defines. */
    names_defined: { defined: string[]; missing: string[] };
  };
}

/** Brackets close in order (strings and comments ignored). */
function balanced(code: string): boolean {
  const pairs: Record<string, string> = { ')': '(', ']': '[', '}': '{' };
  const stack: string[] = [];
  for (const ch of code) {
    if (ch === '(' || ch === '[' || ch === '{') stack.push(ch);
    else if (ch in pairs) {
      if (stack.pop() !== pairs[ch]) return false;
    }
  }
  return stack.length === 0;
}

function neededNames(spec: ProgramSpec): string[] {
  const names = new Set(spec.names);
  for (const test of spec.tests) {
    const called = /^\s*([A-Za-z_$][\w$]*)\s*\(/.exec(test.call);
    if (called) names.add(called[1]);
  }
  return [...names];
}

function defines(code: string, name: string, runner: ProgramSpec['runner']): boolean {
  const escaped = name.replace(/\$/g, '\\$');
  const patterns =
    runner === 'python'
      ? [
          new RegExp(`^\\s*(async\\s+)?def\\s+${escaped}\\s*\\(`, 'm'),
          new RegExp(`^\\s*class\\s+${escaped}\\b`, 'm'),
          new RegExp(`^\\s*${escaped}\\s*(:[^=\\n]*)?=(?!=)`, 'm'),
          new RegExp(`^\\s*for\\s+${escaped}\\b`, 'm'),
        ]
      : [
          new RegExp(`\\bfunction\\s*\\*?\\s*${escaped}\\s*\\(`),
          new RegExp(`\\b(const|let|var|class)\\s+${escaped}\\b`),
          new RegExp(`^\\s*${escaped}\\s*=(?!=)`, 'm'),
        ];
  return patterns.some((re) => re.test(code));
}

/**
 * A reward read from the answer's text alone, for when programs are not run (code evaluation
 * off): -1 without code, else 1 + 9 × q where q is the mean of three checks: the static checks
 * pass, the brackets balance, and the code defines the names the case needs (the functions its
 * tests call, the metric variable, the names in its constraints; the share defined). It says
 * nothing about whether the program works: results carry `code_eval: 'disabled'`.
 */
export function heuristicReward(
  answer: string,
  spec: ProgramSpec,
  importAllowList: readonly string[],
): HeuristicReward {
  const extracted = extractCode(answer, spec.runner);
  if (!extracted) {
    return {
      reward: MIN_REWARD,
      score: 0,
      checks: {
        code_found: false,
        static_checks: false,
        balanced: false,
        names_defined: { defined: [], missing: neededNames(spec) },
      },
    };
  }
  const codeOnly =
    spec.runner === 'python' ? pythonCodeOnly(extracted.code) : javascriptCodeOnly(extracted.code);
  const needed = neededNames(spec);
  const defined = needed.filter((n) => defines(codeOnly, n, spec.runner));
  const checks = {
    code_found: true,
    static_checks: staticCheck(extracted.code, spec.runner, importAllowList).ok,
    balanced: balanced(codeOnly),
    names_defined: { defined, missing: needed.filter((n) => !defined.includes(n)) },
  };
  const q =
    (Number(checks.static_checks) +
      Number(checks.balanced) +
      (needed.length ? defined.length / needed.length : 1)) /
    3;
  const reward = successReward(q);
  return { reward, score: scoreOfReward(reward), checks };
}

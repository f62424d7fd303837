/**
 * Prompt templates substitute `{name}` and `{{name}}` (spaces allowed inside double braces, and
 * dotted paths such as `{doc.title}` reach into object inputs). Braces that do not enclose an
 * identifier, as in JSON examples, are left alone. Unknown variables are reported, not silently
 * dropped; they stay in the text as written so the problem is visible.
 */
const VARIABLE =
  /\{\{\s*([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z0-9_]+)*)\s*\}\}|\{([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z0-9_]+)*)\}/g;

export interface RenderResult {
  text: string;
  /** Variables the template mentions, in order of first appearance. */
  variables: string[];
  /** Variables the template mentions that the inputs do not provide. */
  missing: string[];
}

export function templateVariables(template: string): string[] {
  const seen = new Set<string>();
  for (const match of template.matchAll(VARIABLE)) seen.add(match[1] ?? match[2]);
  return [...seen];
}

function lookup(inputs: Record<string, unknown>, path: string): { found: boolean; value: unknown } {
  let current: unknown = inputs;
  for (const part of path.split('.')) {
    if (current === null || typeof current !== 'object' || !Object.hasOwn(current, part)) {
      return { found: false, value: undefined };
    }
    current = (current as Record<string, unknown>)[part];
  }
  return { found: true, value: current };
}

function stringify(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === null || value === undefined) return '';
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') {
    return value.toString();
  }
  return JSON.stringify(value) ?? '';
}

export function renderTemplate(template: string, inputs: Record<string, unknown>): RenderResult {
  const variables: string[] = [];
  const missing: string[] = [];
  const text = template.replace(VARIABLE, (whole, doubled?: string, single?: string) => {
    const name = (doubled ?? single) as string;
    if (!variables.includes(name)) variables.push(name);
    const { found, value } = lookup(inputs, name);
    if (!found) {
      if (!missing.includes(name)) missing.push(name);
      return whole;
    }
    return stringify(value);
  });
  return { text, variables, missing };
}

import type { Runner } from './code-eval-settings';

export interface ExtractedCode {
  code: string;
  /** `fenced`: a Markdown code block; `lines`: the longest run of lines that look like code. */
  source: 'fenced' | 'lines';
  /** The block's language tag, lower-cased ('' when untagged or for `lines`). */
  language: string;
}

const TAGS: Record<Runner, readonly string[]> = {
  python: ['python', 'py', 'python3', 'py3'],
  javascript: ['javascript', 'js', 'node', 'nodejs', 'mjs', 'cjs'],
};

interface Block {
  code: string;
  language: string;
}

/** Fenced blocks (``` or ~~~, three or more), an unclosed last fence running to the end. */
function fencedBlocks(text: string): Block[] {
  const lines = text.split(/\r?\n/);
  const blocks: Block[] = [];
  let open: { fence: string; language: string; body: string[] } | null = null;
  for (const line of lines) {
    const trimmed = line.trimStart();
    if (!open) {
      const fence = /^(`{3,}|~{3,})\s*([^\s`]*)/.exec(trimmed);
      if (fence) open = { fence: fence[1], language: fence[2].toLowerCase(), body: [] };
      continue;
    }
    const closing = trimmed.trimEnd();
    if (closing.startsWith(open.fence) && /^[`~]+$/.test(closing) && closing[0] === open.fence[0]) {
      blocks.push({ code: open.body.join('\n'), language: open.language });
      open = null;
    } else open.body.push(line);
  }
  if (open) blocks.push({ code: open.body.join('\n'), language: open.language });
  return blocks.filter((b) => b.code.trim() !== '');
}

const PYTHON_LINE = [
  /^(def|class|import|from|return|for|while|if|elif|else|try|except|finally|with|raise|assert|yield|lambda|global|nonlocal|pass|break|continue|print|async|await)\b/,
  /^@[A-Za-z_]/,
  /^#/,
  /^[A-Za-z_][\w.]*(\[[^\]]*\])?(\s*,\s*[A-Za-z_][\w.]*)*\s*([+\-*/%&|^]|\/\/|\*\*)?=(?!=)/,
  /^[A-Za-z_][\w.]*\(.*\)\s*$/,
  /^[)\]}]/,
];

const JAVASCRIPT_LINE = [
  /^(function|const|let|var|return|for|while|if|else|try|catch|finally|class|throw|switch|case|break|continue|async|await|export|import)\b/,
  /^\/\//,
  /^\/\*/,
  /^\*/,
  /^[A-Za-z_$][\w.$]*(\[[^\]]*\])?\s*([+\-*/%&|^]|\*\*)?=(?!=)/,
  /^[A-Za-z_$][\w.$]*\(.*\)\s*;?\s*$/,
  /^[)\]}]/,
  /[;{]\s*$/,
];

function looksLikeCode(line: string, runner: Runner): boolean {
  if (/^\s+\S/.test(line)) return true;
  const trimmed = line.trim();
  if (trimmed.length > 400) return false;
  return (runner === 'python' ? PYTHON_LINE : JAVASCRIPT_LINE).some((re) => re.test(trimmed));
}

/** The longest run of code-like lines (blank lines inside a run are kept). */
function codeLines(text: string, runner: Runner): string | null {
  const lines = text.split(/\r?\n/);
  let best: string[] = [];
  let run: string[] = [];
  let pendingBlank: string[] = [];
  const close = () => {
    if (run.length > best.length) best = run;
    run = [];
    pendingBlank = [];
  };
  for (const line of lines) {
    if (line.trim() === '') {
      if (run.length) pendingBlank.push(line);
      continue;
    }
    if (looksLikeCode(line, runner)) {
      run.push(...pendingBlank, line);
      pendingBlank = [];
    } else close();
  }
  close();
  // A run that starts indented is the tail of something else: dedent is not guessed.
  return best.length ? best.join('\n') : null;
}

/**
 * The program in a model's answer: the largest fenced block whose tag is the runner's language
 * or absent (blocks tagged with another language, such as `text` or `bash`, are used only when
 * nothing else is there); without fences, the longest run of lines that look like code. Null
 * when the answer holds no code.
 */
export function extractCode(text: string, runner: Runner): ExtractedCode | null {
  const blocks = fencedBlocks(text);
  if (blocks.length) {
    const fitting = blocks.filter((b) => b.language === '' || TAGS[runner].includes(b.language));
    const pool = fitting.length ? fitting : blocks;
    const largest = pool.reduce((a, b) => (b.code.length > a.code.length ? b : a));
    return { code: largest.code, source: 'fenced', language: largest.language };
  }
  const lines = codeLines(text, runner);
  return lines ? { code: lines, source: 'lines', language: '' } : null;
}

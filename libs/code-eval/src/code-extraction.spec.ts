import type { Runner } from './code-eval-settings';
import { extractCode, type ExtractedCode } from './code-extraction';

const fence = '```';

describe('extractCode', () => {
  it.each<[string, Runner, string, ExtractedCode | null]>([
    [
      'a python block',
      'python',
      `Here it is:\n${fence}python\ndef add(a, b):\n    return a + b\n${fence}\nDone.`,
      { code: 'def add(a, b):\n    return a + b', source: 'fenced', language: 'python' },
    ],
    [
      'the largest of several blocks',
      'python',
      `${fence}py\nx = 1\n${fence}\ntext\n${fence}\nimport math\nprint(math.pi)\n${fence}`,
      { code: 'import math\nprint(math.pi)', source: 'fenced', language: '' },
    ],
    [
      'a tagged block over a larger block in another language',
      'python',
      `${fence}bash\npip install numpy && python main.py --verbose\n${fence}\n${fence}python\nprint(1)\n${fence}`,
      { code: 'print(1)', source: 'fenced', language: 'python' },
    ],
    [
      'a block in another language when there is nothing else',
      'python',
      `${fence}text\nprint(2)\n${fence}`,
      { code: 'print(2)', source: 'fenced', language: 'text' },
    ],
    [
      'tilde fences and a longer closing fence',
      'javascript',
      '~~~js\nconst x = 1;\nconsole.log(x);\n~~~~',
      { code: 'const x = 1;\nconsole.log(x);', source: 'fenced', language: 'js' },
    ],
    [
      'an unclosed fence (a truncated answer) to the end',
      'python',
      `${fence}python\nfor i in range(3):\n    print(i)`,
      { code: 'for i in range(3):\n    print(i)', source: 'fenced', language: 'python' },
    ],
    [
      'code lines without fences',
      'python',
      'Sure! Here is the function.\ndef add(a, b):\n\n    return a + b\nThis adds two numbers.',
      { code: 'def add(a, b):\n\n    return a + b', source: 'lines', language: '' },
    ],
    [
      'the longest run of JavaScript lines',
      'javascript',
      'First:\nlet a = 1;\nThen the real thing:\nfunction add(a, b) {\n  return a + b;\n}\nconsole.log(add(1, 2));',
      {
        code: 'function add(a, b) {\n  return a + b;\n}\nconsole.log(add(1, 2));',
        source: 'lines',
        language: '',
      },
    ],
    ['prose only', 'python', 'The answer is forty-two. I hope this helps.', null],
    ['an empty fence and prose', 'python', `${fence}python\n\n${fence}\nNo code today.`, null],
  ])('%s', (_name, runner, text, expected) => {
    expect(extractCode(text, runner)).toEqual(expected);
  });
});

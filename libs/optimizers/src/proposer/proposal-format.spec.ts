import type { Evidence, ProposalRequest } from '../types';
import {
  formatEvidence,
  parseEvidence,
  parseProposalAnswer,
  parseProposalRequest,
  renderProposalRequest,
} from './proposal-format';

const examples: Evidence[] = [
  {
    input: 'What is 2+2?',
    output: 'four',
    expected: '4',
    score: 0,
    feedback: 'exact_match: "four" differs from "4".',
  },
  {
    input: '{"a":1,"b":"two\n\nlines"}',
    output: 'x',
    expected: 'y',
    score: 0.25,
    feedback: 'close',
  },
];

describe('proposal rendering', () => {
  it('renders the op, the current prompt, the examples and the answer format', () => {
    const messages = renderProposalRequest({
      op: 'reflect',
      currentPrompt: 'Answer {question} briefly.',
      examples,
      n: 2,
    });
    expect(messages.map((m) => m.role)).toEqual(['system', 'user']);
    const user = messages[1].content;
    expect(user).toContain('<op>reflect</op>');
    expect(user).toContain('<current_prompt>\nAnswer {question} briefly.\n</current_prompt>');
    expect(user).toContain(
      '<examples>\nInput: What is 2+2?\nOutput: four\nExpected: 4\nScore: 0.00\n' +
        'Feedback: exact_match: "four" differs from "4".\n\nInput: {"a":1,"b":"two\n  lines"}\n',
    );
    expect(user).toContain('Answer with 2 different prompts, each inside <prompt>...</prompt>');
    expect(user).toContain('{question}');
  });

  it('asks for a <critique> block for critiques and summaries, and shows the other parent', () => {
    const critique = renderProposalRequest({ op: 'critique', currentPrompt: 'P', examples })[1];
    expect(critique.content).toContain('inside <critique>...</critique>');
    const cross = renderProposalRequest({
      op: 'crossover',
      currentPrompt: 'A',
      otherPrompt: 'B',
    })[1];
    expect(cross.content).toContain('<other_prompt>\nB\n</other_prompt>');
    expect(cross.content).not.toContain('<examples>');
  });

  it('reads back what it rendered', () => {
    const request: ProposalRequest = {
      op: 'apply_critique',
      currentPrompt: 'Line one {x}\nLine two',
      context: 'Add a rule about units.',
      examples,
      n: 3,
    };
    const back = parseProposalRequest(renderProposalRequest(request));
    expect(back).toEqual({
      ...request,
      examples: [examples[0], { ...examples[1], input: '{"a":1,"b":"two\nlines"}' }],
    });
    expect(parseProposalRequest([{ role: 'user', content: 'hello' }])).toBeNull();
  });

  it('keeps records apart by blank lines', () => {
    const text = formatEvidence(examples);
    expect(text.split('\n\n')).toHaveLength(2);
    expect(parseEvidence(text)).toHaveLength(2);
  });
});

describe('proposal parsing', () => {
  const reflect: ProposalRequest = { op: 'reflect', currentPrompt: 'Answer {question}.', n: 2 };

  it('takes the <prompt> blocks, trimmed, at most n, without duplicates', () => {
    const answer =
      'Thoughts...\n<prompt>\nAnswer {question} with a number.\n</prompt>\n' +
      '<prompt>Answer {question} with a number.</prompt><prompt>Reply to {question}.</prompt>' +
      '<prompt>Third {question}</prompt>';
    expect(parseProposalAnswer(answer, reflect)).toEqual({
      ok: true,
      texts: ['Answer {question} with a number.', 'Reply to {question}.'],
    });
  });

  it('takes an answer without tags whole', () => {
    expect(parseProposalAnswer('  Answer {question} in digits.  ', reflect)).toEqual({
      ok: true,
      texts: ['Answer {question} in digits.'],
    });
  });

  it('reads critiques from <critique> blocks', () => {
    expect(
      parseProposalAnswer('<critique>Say units.</critique>', {
        op: 'critique',
        currentPrompt: 'P',
      }),
    ).toEqual({ ok: true, texts: ['Say units.'] });
  });

  it.each([
    ['an empty answer', '   ', /empty/],
    ['an unclosed tag', '<prompt>Answer {question}', /1 <prompt> and 0 <\/prompt>/],
    ['a stray closing tag', 'Answer {question}</prompt>', /0 <prompt> and 1/],
    ['only empty blocks', '<prompt> </prompt>', /empty/],
    ['a prompt that drops a variable', '<prompt>Answer the question.</prompt>', /\{question\}/],
  ])('rejects %s', (_label, answer, reason) => {
    const parsed = parseProposalAnswer(answer, reflect);
    expect(parsed.ok).toBe(false);
    expect(!parsed.ok && parsed.reason).toMatch(reason);
  });

  it('drops the blocks that lose a variable when others keep them', () => {
    expect(
      parseProposalAnswer('<prompt>No variable</prompt><prompt>Use {question}</prompt>', reflect),
    ).toEqual({ ok: true, texts: ['Use {question}'] });
  });
});

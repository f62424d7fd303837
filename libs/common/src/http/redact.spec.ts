import { isCredentialName, REDACTED, redactQuery, redactUrl, redactUrlsIn } from './redact';

describe('redactUrl', () => {
  it.each([
    ['/api/v1/x?api_key=secret', `/api/v1/x?api_key=${REDACTED}`],
    ['/x?page=2&apikey=s3&per_page=5', `/x?page=2&apikey=${REDACTED}&per_page=5`],
    [
      '/x?key=a&token=b&access_token=c',
      `/x?key=${REDACTED}&token=${REDACTED}&access_token=${REDACTED}`,
    ],
    [
      '/x?password=p&secret=s&signature=g&jwt=j',
      `/x?password=${REDACTED}&secret=${REDACTED}&signature=${REDACTED}&jwt=${REDACTED}`,
    ],
    [
      '/x?API_KEY=a&X-Api-Key=b&apiKey=c',
      `/x?API_KEY=${REDACTED}&X-Api-Key=${REDACTED}&apiKey=${REDACTED}`,
    ],
    ['/x?api%5Fkey=a&token%5B0%5D=b', `/x?api%5Fkey=${REDACTED}&token%5B0%5D=${REDACTED}`],
    [
      '/x?openai_api_key=a&client_secret=b',
      `/x?openai_api_key=${REDACTED}&client_secret=${REDACTED}`,
    ],
    [
      'https://u:p@proxy.example.com/v1?sig=1#top',
      `https://${REDACTED}@proxy.example.com/v1?sig=${REDACTED}#top`,
    ],
  ])('%s', (url, expected) => {
    expect(redactUrl(url)).toBe(expected);
  });

  it('leaves URLs without credentials exactly as they were', () => {
    for (const url of [
      '/api/v1/prompt-studio/projects/list?page=2&per_page=20&search=a%20b&max_tokens=5',
      '/health/live',
      '/x?flag&sort=-name',
      'https://proxy.example.com/v1',
      '/x?bad=%E0%A4%A',
    ]) {
      expect(redactUrl(url)).toBe(url);
    }
  });

  it('leaves a credential name without a value alone: there is nothing to hide', () => {
    expect(redactUrl('/x?token')).toBe('/x?token');
  });
});

describe('redactQuery', () => {
  it('replaces credential-like entries only', () => {
    expect(redactQuery({ api_key: 'k', page: '2', Token: ['a', 'b'] })).toEqual({
      api_key: REDACTED,
      page: '2',
      Token: REDACTED,
    });
  });

  it('does not take counts or sorting keys for credentials', () => {
    for (const name of ['max_tokens', 'tokens', 'sort', 'keys', 'monkey', 'page']) {
      expect(isCredentialName(name)).toBe(false);
    }
  });
});

describe('redactUrlsIn', () => {
  it('redacts the URLs inside a message and nothing else', () => {
    expect(
      redactUrlsIn(
        'request to https://generativelanguage.googleapis.com/v1/models/x?key=AIzaSecret failed, token=abc',
      ),
    ).toBe(
      `request to https://generativelanguage.googleapis.com/v1/models/x?key=${REDACTED} failed, token=abc`,
    );
  });
});

describe('loadClientLibraries', () => {
  it('loads the client libraries of the protocols it is given, each once', () => {
    const loaded: string[] = [];
    jest.isolateModules(() => {
      jest.doMock('@langchain/openai', () => (loaded.push('@langchain/openai'), {}));
      jest.doMock('@langchain/cohere', () => (loaded.push('@langchain/cohere'), {}));
      jest.doMock('cohere-ai', () => (loaded.push('cohere-ai'), {}));
      jest.doMock('@langchain/anthropic', () => (loaded.push('@langchain/anthropic'), {}));
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const factory = require('./langchain-factory') as typeof import('./langchain-factory');
      expect(loaded).toEqual([]);
      // Azure speaks through the OpenAI client; mock and unknown protocols need no library.
      factory.loadClientLibraries(['openai', 'azure', 'mock', 'no-such-protocol']);
      expect(loaded).toEqual(['@langchain/openai']);
      factory.loadClientLibraries(['cohere', 'openai']);
      expect(loaded).toEqual(['@langchain/openai', '@langchain/cohere', 'cohere-ai']);
    });
  });
});

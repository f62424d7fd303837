import { ApiConfig } from './api-config';
import { EnvValidationError } from './load-env';
import { WorkerConfig } from './worker-config';

describe('environment validation', () => {
  it('applies defaults for an empty environment', () => {
    const config = ApiConfig.fromEnv({});
    expect(config.env.PORT).toBe(8000);
    expect(config.env.HOST).toBe('127.0.0.1');
    expect(config.database).toEqual({
      url: undefined,
      dataDir: './data',
      poolSize: 10,
      migrationsRun: true,
      logging: false,
    });
  });

  it('treats empty strings as unset and parses booleans and numbers', () => {
    const config = ApiConfig.fromEnv({
      DATABASE_URL: '',
      DB_MIGRATIONS_RUN: 'no',
      PORT: '9000',
      LOG_PRETTY: 'TRUE',
    });
    expect(config.database.url).toBeUndefined();
    expect(config.database.migrationsRun).toBe(false);
    expect(config.env.PORT).toBe(9000);
    expect(config.env.LOG_PRETTY).toBe(true);
  });

  it('names every bad variable in one error', () => {
    let error: unknown;
    try {
      ApiConfig.fromEnv({
        PORT: 'eighty',
        DATABASE_URL: 'mysql://x',
        LOG_LEVEL: 'loud',
        DB_LOGGING: 'maybe',
        MAX_TEST_CASES_PER_PROJECT: '0',
      });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(EnvValidationError);
    const problems = (error as EnvValidationError).problems.map((p) => p.variable).sort();
    expect(problems).toEqual([
      'DATABASE_URL',
      'DB_LOGGING',
      'LOG_LEVEL',
      'MAX_TEST_CASES_PER_PROJECT',
      'PORT',
    ]);
    expect((error as Error).message).toContain('Invalid environment for api');
    expect((error as Error).message).toContain('DATABASE_URL: must be a postgres://');
  });

  it('validates the worker on its own schema', () => {
    expect(WorkerConfig.fromEnv({ WORKER_PORT: '9101' }).env.WORKER_PORT).toBe(9101);
    expect(() => WorkerConfig.fromEnv({ WORKER_PORT: '70000' })).toThrow(/WORKER_PORT/);
    expect(() => WorkerConfig.fromEnv({ REDIS_URL: 'http://x' })).toThrow(/REDIS_URL/);
  });
});

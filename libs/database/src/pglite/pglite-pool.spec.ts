import { createDataSource } from '../data-source.factory';
import { pendingSchemaChanges } from '../migration-generator';

describe('embedded PGlite behind TypeORM', () => {
  const dataSource = createDataSource({
    dataDir: 'memory://pool-spec',
    poolSize: 1,
    migrationsRun: false,
    logging: false,
  });

  beforeAll(async () => {
    await dataSource.initialize();
    await dataSource.query('CREATE TABLE counter (id int PRIMARY KEY, n int NOT NULL)');
    await dataSource.query('INSERT INTO counter VALUES (1, 0)');
  });

  afterAll(async () => {
    await dataSource.destroy();
  });

  it('serialises concurrent transactions so read-modify-write never loses an update', async () => {
    // Without an exclusive lease, the 20 transactions would interleave on PGlite's single
    // connection: reads would see stale values and one COMMIT would end another's transaction.
    await Promise.all(
      Array.from({ length: 20 }, () =>
        dataSource.transaction(async (manager) => {
          const [row] = await manager.query<{ n: number }[]>('SELECT n FROM counter WHERE id = 1');
          await new Promise((resolve) => setTimeout(resolve, 1));
          await manager.query('UPDATE counter SET n = $1 WHERE id = 1', [row.n + 1]);
        }),
      ),
    );
    const [row] = await dataSource.query<{ n: number }[]>('SELECT n FROM counter WHERE id = 1');
    expect(row.n).toBe(20);
  });

  it('rolls a failed transaction back without affecting the next one', async () => {
    await expect(
      dataSource.transaction(async (manager) => {
        await manager.query('UPDATE counter SET n = 999 WHERE id = 1');
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    const [row] = await dataSource.query<{ n: number }[]>('SELECT n FROM counter WHERE id = 1');
    expect(row.n).toBe(20);
  });

  it('reports affected rows of UPDATE and DELETE like node-postgres', async () => {
    const result = await dataSource
      .createQueryBuilder()
      .update('counter')
      .set({ n: 0 })
      .where('id = 1')
      .execute();
    expect(result.affected).toBe(1);
  });
});

describe('migrations', () => {
  it('match the entities exactly (nothing left for migration:generate)', async () => {
    const { up } = await pendingSchemaChanges();
    expect(up).toEqual([]);
  });

  it('apply and revert cleanly on the embedded database', async () => {
    const dataSource = createDataSource({
      dataDir: 'memory://revert-spec',
      poolSize: 1,
      migrationsRun: false,
      logging: false,
    });
    await dataSource.initialize();
    try {
      const applied = await dataSource.runMigrations();
      expect(applied.length).toBeGreaterThan(0);
      for (let i = 0; i < applied.length; i++) await dataSource.undoLastMigration();
      const tables = await dataSource.query<{ table_name: string }[]>(
        `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'`,
      );
      expect(tables.map((t) => t.table_name)).toEqual(['schema_migrations']);
    } finally {
      await dataSource.destroy();
    }
  });
});

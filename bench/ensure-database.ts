import pg from 'pg';

// Benchmarks default to a database of their own on the local server; it is created on first use.

/** Creates the database `target` names when the server does not have it yet. */
export async function ensureDatabase(target: string): Promise<void> {
  const name = new URL(target).pathname.slice(1);
  const server = new URL(target);
  server.pathname = '/postgres';
  const client = new pg.Client({ connectionString: server.toString() });
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (found.rowCount === 0) await client.query(`CREATE DATABASE "${name.replaceAll('"', '""')}"`);
  } finally {
    await client.end();
  }
}

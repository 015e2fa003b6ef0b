// A throwaway PostgreSQL server for the publish tests: initdb into a temporary folder, start on a free
// loopback port, trust auth plus one password user; stopped and removed when the test ends. As root the
// server runs as the `postgres` user (PostgreSQL refuses root). No binaries: the caller skips, saying why.
import { execa } from 'execa';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

export interface PostgresServer {
  readonly url: string; // superuser, no password (trust)
  readonly passwordUrl: string; // user ducksteps with password 'secret-pw'
  readonly port: number;
  query(sql: string, params?: unknown[]): Promise<pg.QueryResult>;
  /** Stops the server at once (its data kept), as a crash or an admin would; startServer() brings it back. */
  stopServer(): Promise<void>;
  startServer(): Promise<void>;
  stop(): Promise<void>;
}

/** Where initdb and pg_ctl are, or undefined when PostgreSQL's server is not installed. */
export function postgresBin(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const version = readdirSync(root)
    .sort((a, b) => Number(b) - Number(a))
    .find((v) => existsSync(join(root, v, 'bin', 'initdb')));
  return version ? join(root, version, 'bin') : undefined;
}

const freePort = () =>
  new Promise<number>((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });

export async function startPostgres(): Promise<PostgresServer> {
  const bin = postgresBin()!;
  const dir = mkdtempSync(join(tmpdir(), 'ducksteps-pg-'));
  const asRoot = userInfo().uid === 0;
  const run = (cmd: string, args: string[]) =>
    asRoot ? execa('runuser', ['-u', 'postgres', '--', join(bin, cmd), ...args]) : execa(join(bin, cmd), args);
  if (asRoot) {
    chmodSync(dir, 0o755);
    const { stdout } = await execa('id', ['-u', 'postgres']);
    const { stdout: gid } = await execa('id', ['-g', 'postgres']);
    chownSync(dir, Number(stdout), Number(gid));
  }
  const port = await freePort();
  // --no-sync: a throwaway server (it runs with fsync=off too); initdb's syncs took most of its seconds
  await run('initdb', [
    '--no-sync',
    '-D',
    join(dir, 'data'),
    '--auth=trust',
    '-U',
    'postgres',
    '--encoding=UTF8',
    '--locale=C',
  ]);
  const startServer = async () =>
    void (await run('pg_ctl', [
      '-D',
      join(dir, 'data'),
      '-l',
      join(dir, 'log'),
      '-w',
      'start',
      '-o',
      `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`,
    ]));
  await startServer();
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  const query = async (sql: string, params?: unknown[]) => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      return await client.query(sql, params);
    } finally {
      await client.end();
    }
  };
  await query("CREATE ROLE ducksteps LOGIN SUPERUSER PASSWORD 'secret-pw'");
  // password auth for the role ducksteps over TCP; trust for the rest
  await execa('sh', [
    '-c',
    `sed -i '1i host all ducksteps 127.0.0.1/32 scram-sha-256' ${join(dir, 'data', 'pg_hba.conf')}`,
  ]);
  await run('pg_ctl', ['-D', join(dir, 'data'), 'reload']);
  return {
    url,
    port,
    query,
    passwordUrl: `postgres://ducksteps:secret-pw@127.0.0.1:${port}/postgres`,
    startServer,
    stopServer: async () => void (await run('pg_ctl', ['-D', join(dir, 'data'), '-m', 'immediate', 'stop'])),
    stop: async () => {
      await run('pg_ctl', ['-D', join(dir, 'data'), '-m', 'immediate', 'stop']).catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * The naive server issue 5 compares runledger with: node:http, the workspace
 * in the query string, no auth, no validation, one prepared statement per
 * query text, `.all()` and JSON.stringify. Run as its own process:
 *   node --import tsx bench/thin-server.ts (--sqlite PATH | --postgres URL) [--port 0]
 */
import { createServer } from 'node:http';
import { parseArgs } from 'node:util';
import { naiveListSql } from './naive-sql.ts';
import { postgresClient, sqliteClient, type SqlClient } from './sql-client.ts';
import { THIN_TABLE } from './thin-table.ts';

const { values } = parseArgs({ options: { sqlite: { type: 'string' }, postgres: { type: 'string' }, port: { type: 'string', default: '0' } } });
const client: SqlClient = values.postgres !== undefined ? postgresClient(values.postgres, 10) : sqliteClient(values.sqlite!);

const server = createServer(async (req, res) => {
  try {
    const q = new URL(req.url!, 'http://thin').searchParams;
    const { sql, params } = naiveListSql(THIN_TABLE, {
      workspaceId: q.get('workspace_id')!,
      start: q.get('start_time'),
      end: q.get('end_time'),
      cursor: q.get('cursor') ?? undefined,
      statuses: q.getAll('status'),
      workflows: q.getAll('workflow_id'),
      credential: q.get('credential_id') ?? undefined,
      limit: Number(q.get('limit') ?? 1000),
    });
    const body = JSON.stringify(await client.all(sql, params));
    res.writeHead(200, { 'content-type': 'application/json' }).end(body);
  } catch (error) {
    res.writeHead(500).end(String(error));
  }
});

server.listen(Number(values.port), '127.0.0.1', () => {
  const address = server.address() as { port: number };
  process.stdout.write(`thin server listening on http://127.0.0.1:${address.port}\n`);
});
process.once('SIGTERM', () => server.close(() => client.close().then(() => process.exit(0))));

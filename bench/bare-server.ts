/**
 * runledger's store with nothing around it: node:http, no key, no
 * validation per request, no rate limit, no Fastify. It answers GET /runs
 * with the very page runledger sends (same store, same statement, same
 * bytes), for the workspace named in a `workspace` header. The floors phase
 * (floors.ts) loads it beside the thin server and runledger, so that what
 * the contract's guarantees cost, and what the store itself can reach, are
 * measured rather than argued. Run as its own process:
 *   node --import tsx bench/bare-server.ts --db URL [--port 0]
 */
import { createServer } from 'node:http';
import { finished } from 'node:stream';
import { parseArgs } from 'node:util';
import { loadConfig } from '../src/config.ts';
import { toListQuery, type ListQuery } from '../src/domain/list-query.ts';
import { readQuery } from '../src/domain/query-params.ts';
import { ListRunsQuery } from '../src/domain/schemas.ts';
import { nowMicros } from '../src/domain/timestamp.ts';
import { openStore } from '../src/store/open-store.ts';
import type { WorkspaceRuns } from '../src/store/run-store.ts';

const { values } = parseArgs({ options: { db: { type: 'string' }, port: { type: 'string', default: '0' } } });
// The defaults `runledger serve` runs with: the same pool and reader threads.
const store = await openStore(loadConfig({ db: values.db }, {}));

/** Each distinct request is resolved once: the workspace looked up, the query read and bounded. */
const resolved = new Map<string, Promise<{ runs: WorkspaceRuns; query: ListQuery }>>();

async function resolve(url: string, workspace: string): Promise<{ runs: WorkspaceRuns; query: ListQuery }> {
  const runs = await store.workspace(workspace, false);
  if (runs === null) throw new Error(`no workspace ${workspace}`);
  const pairs = [...new URLSearchParams(url.slice(url.indexOf('?') + 1))];
  return { runs, query: toListQuery(readQuery(ListRunsQuery, pairs), nowMicros()) };
}

const server = createServer(async (req, res) => {
  try {
    const cacheKey = `${req.headers.workspace} ${req.url}`;
    let request = resolved.get(cacheKey);
    if (request === undefined) resolved.set(cacheKey, (request = resolve(req.url!, String(req.headers.workspace))));
    const { runs, query } = await request;
    const page = await runs.listRuns(query);
    if (page.release !== undefined) finished(res, page.release);
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': page.body.length }).end(page.body);
  } catch (error) {
    res.writeHead(500).end(String(error));
  }
});

server.listen(Number(values.port), '127.0.0.1', () => {
  const address = server.address() as { port: number };
  process.stdout.write(`bare server listening on http://127.0.0.1:${address.port}\n`);
});
process.once('SIGTERM', () => server.close(() => store.close().then(() => process.exit(0))));

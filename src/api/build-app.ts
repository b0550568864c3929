import Fastify, { LogController, type FastifyInstance, type preParsingAsyncHookHandler } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { Config } from '../config.ts';
import { BODY_LIMIT, HEADER_LIMIT, unsupportedMediaType } from '../domain/errors.ts';
import { NoQuery } from '../domain/schemas.ts';
import { openStore } from '../store/open-store.ts';
import type { RunStore } from '../store/run-store.ts';
import { authenticator } from './authenticate.ts';
import { clientErrorHandler, errorHandler, routeNotFound } from './error-handler.ts';
import { validatorCompiler } from './validator.ts';
import { createRunRoute } from './routes/create-run.ts';
import { getRunRoute } from './routes/get-run.ts';
import { healthRoutes } from './routes/health.ts';
import { importRunsRoute } from './routes/import-runs.ts';
import { listRunsRoute } from './routes/list-runs.ts';
import { recordEventRoute } from './routes/record-event.ts';

/** A JSON route refuses other bodies up front: Fastify would hand text or an NDJSON stream to validation, which then names a field. */
const jsonOnly: preParsingAsyncHookHandler = async (request, _reply, payload) => {
  const type = request.headers['content-type'];
  if (type !== undefined && !/^application\/json\s*(;|$)/i.test(type)) {
    throw unsupportedMediaType({ route: `${request.method} ${request.routeOptions.url?.replace(/:(\w+)/g, '{$1}')}`, contentType: 'application/json' });
  }
  return payload;
};

/**
 * The whole HTTP service for a config; tests build it in-process. The store
 * is opened from config.db unless one is given, and is closed with the app.
 */
export async function buildApp(config: Config, store?: RunStore): Promise<FastifyInstance> {
  const runStore = store ?? (await openStore(config));
  const app = Fastify({
    // Logs go to stderr so that stdout carries only what a script reads (the URL, a key).
    logger: { level: config.logLevel, stream: process.stderr },
    logController: new LogController({ disableRequestLogging: config.logLevel !== 'debug' && config.logLevel !== 'trace' }),
    bodyLimit: BODY_LIMIT,
    http: { maxHeaderSize: HEADER_LIMIT },
    // What node refuses (malformed HTTP, headers over the limit) still gets the contract's error shape.
    clientErrorHandler,
    // Repeats, brackets and order matter to the query rules: validator.ts reads the raw pairs.
    routerOptions: { querystringParser: (query) => new URLSearchParams(query) as unknown as Record<string, unknown> },
    // A client that stops reading its page would otherwise hold the socket, the
    // page's memory and, for a large page, one of the reader pool's slots for as
    // long as it stays connected. A slow client that still reads is progress.
    connectionTimeout: config.idleTimeout * 1000,
    // Fastify's own 503 while closing has its own body; keyed routes and /readyz answer the contract's instead (closing below).
    return503OnClosing: false,
    // A path with broken percent-encoding never reaches a route; it still gets the contract's error shape.
    frameworkErrors: errorHandler,
  });
  app.decorateRequest('runs', null as never);
  app.setValidatorCompiler(validatorCompiler);
  app.setErrorHandler(errorHandler);
  app.setNotFoundHandler((request) => {
    throw routeNotFound(request);
  });
  // Set once close() begins: a request that still comes (pipelined on a connection in use) is refused, not served by a closing store.
  let closing = false;
  const isClosing = () => closing;
  app.addHook('preClose', async () => {
    closing = true;
  });
  // Hooks go only on the routes that need them: a global hook costs every request a promise and a tick.
  const authenticate = authenticator(runStore, config.rateLimit, isClosing);
  app.addHook('onRoute', (route) => {
    if ((route.config as { keyed?: boolean } | undefined)?.keyed) route.onRequest = authenticate;
    if ((route.schema as { body?: unknown } | undefined)?.body !== undefined) route.preParsing = jsonOnly;
  });
  app.addHook('onClose', async () => runStore.close());

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'runledger', version: '0.1.0', description: 'Workflow runs, CloudCruise-compatible run API' },
      components: { securitySchemes: { ccKey: { type: 'apiKey', in: 'header', name: 'cc-key' } } },
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  app.get('/openapi.json', { schema: { hide: true, querystring: NoQuery } }, async () => app.swagger());

  healthRoutes(app, runStore, isClosing);
  listRunsRoute(app);
  getRunRoute(app);
  createRunRoute(app);
  recordEventRoute(app);
  importRunsRoute(app);
  return app;
}

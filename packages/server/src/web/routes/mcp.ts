import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { BrandingConfig, ServerConfig } from '../../config/schema.js';
import { HEALTH_STATES } from '../../model/health.js';
import type { HealthModel } from '../../model/health-model.js';
import { buildStatusReport } from '../../model/status-report.js';
import type { Clock } from '../../time/clock.js';
import { VERSION } from '../../version.js';
import type { McpSessionLimits } from './mcp-sessions.js';

/** Vigil's texts, word for word (spec §2.3): agents read them. */
export const MCP_INSTRUCTIONS =
  'Vigil MCP Server. Use this server to get the status report of all Vigil Status Page services and nodes.';
export const GET_REPORT_DESCRIPTION =
  'Returns all Vigil Status Page services and nodes and reports their status (healthy, sick, dead)';

export const MCP_PATH = '/mcp/probes';
const DEFAULT_LIMITS: McpSessionLimits = { maxSessions: 100, idleTimeoutMs: 10 * 60_000 };

const health = z.enum(HEALTH_STATES);
/** The `/status/report` document, announced as the tool's output schema. */
const reportSchema = z.object({
  health,
  page: z.object({ name: z.string(), url: z.string() }),
  probes: z.array(
    z.object({
      name: z.string(),
      status: health,
      nodes: z.array(z.object({ name: z.string(), status: health, replicas: z.array(health) })),
    }),
  ),
});

function jsonRpcError(reply: FastifyReply, status: number, message: string, code = -32000) {
  return reply.code(status).send({ jsonrpc: '2.0', error: { code, message }, id: null });
}

export interface McpOptions {
  /** `branding` is read on each call: a reload may replace it. */
  settings: { readonly server: Pick<ServerConfig, 'mcp_server'>; readonly branding: BrandingConfig };
  model: HealthModel;
  clock: Clock;
  limits?: McpSessionLimits;
}

/**
 * `/mcp/probes` (spec §2.3) when `server.mcp_server = true`: an MCP server over the Streamable HTTP
 * transport with sessions, one tool `get_report` returning the `/status/report` document.
 */
export async function mcpRoutes(app: FastifyInstance, options: McpOptions): Promise<void> {
  const { settings, model, clock } = options;
  if (!settings.server.mcp_server) {
    app.log.info('mcp server is not enabled (this is an opt-in feature)');
    return;
  }
  // Loaded only when enabled: the MCP SDK is the largest module tree the server has (~20 MB).
  const [{ McpServer }, { isInitializeRequest }, { McpSessions }] = await Promise.all([
    import('@modelcontextprotocol/sdk/server/mcp.js'),
    import('@modelcontextprotocol/sdk/types.js'),
    import('./mcp-sessions.js'),
  ]);
  const createServer = () => {
    const server = new McpServer(
      { name: 'vigil', title: 'Vigil TS', version: VERSION },
      { capabilities: { tools: {} }, instructions: MCP_INSTRUCTIONS },
    );
    server.registerTool(
      'get_report',
      { description: GET_REPORT_DESCRIPTION, outputSchema: reportSchema },
      () => {
        const { page_title: title, page_url: url } = settings.branding;
        const report = buildStatusReport(model, { title, url });
        // Structured content for agents, the same JSON as text for clients that only read text.
        return {
          content: [{ type: 'text', text: JSON.stringify(report) }],
          structuredContent: { ...report },
        };
      },
    );
    // The SDK announces tools/list_changed, but the tool list never changes.
    server.server.registerCapabilities({ tools: { listChanged: false } });
    return server;
  };
  const sessions = new McpSessions(createServer, options.limits ?? DEFAULT_LIMITS, clock);
  // Before the HTTP server closes: open event streams would otherwise keep it waiting.
  app.addHook('preClose', () => sessions.closeAll());

  const handle = async (request: FastifyRequest, reply: FastifyReply) => {
    const header = request.headers['mcp-session-id'];
    const sessionId = typeof header === 'string' ? header : undefined;
    if (request.method === 'GET' && !request.headers.accept?.includes('text/event-stream')) {
      return jsonRpcError(reply, 406, 'Not Acceptable: Client must accept text/event-stream');
    }
    let transport = sessionId === undefined ? undefined : sessions.get(sessionId);
    if (sessionId === undefined) {
      // Like Vigil: the event stream and session close need a session; a POST without one must initialize.
      if (request.method !== 'POST') return jsonRpcError(reply, 401, 'Unauthorized: Session ID is required');
      if (!isInitializeRequest(request.body)) {
        return jsonRpcError(reply, 400, 'Bad Request: Mcp-Session-Id header is required');
      }
      transport = await sessions.open();
    } else if (!transport) {
      return jsonRpcError(reply, 404, 'Session not found', -32001);
    }
    const finished = sessionId === undefined ? () => undefined : sessions.track(sessionId);
    reply.hijack();
    reply.raw.once('close', finished);
    try {
      await transport.handleRequest(request.raw, reply.raw, request.body);
    } catch (error) {
      request.log.error({ err: error }, 'MCP request failed');
      if (!reply.raw.headersSent) reply.raw.writeHead(500).end();
      else reply.raw.destroy();
    }
  };
  app.post(MCP_PATH, handle);
  app.get(MCP_PATH, { exposeHeadRoute: false }, handle);
  app.delete(MCP_PATH, handle);
}

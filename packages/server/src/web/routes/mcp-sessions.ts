import { randomUUID } from 'node:crypto';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import type { Clock } from '../../time/clock.js';

/** Vigil's SSE keep-alive period (spec §2.3). */
const KEEP_ALIVE_MS = 30_000;

export interface McpSessionLimits {
  /** Sessions kept at once; a new one evicts the least recently used. */
  maxSessions: number;
  /** A session without any request in flight for this long is closed. */
  idleTimeoutMs: number;
}

interface Session {
  transport: StreamableHTTPServerTransport;
  server: McpServer;
  lastSeenMs: number;
  /** Requests (including an open GET event stream) not finished yet: such a session is never idle. */
  openRequests: number;
}

/**
 * The in-memory session manager of `/mcp/probes`: one MCP server and transport per `Mcp-Session-Id`.
 * Vigil's is unbounded; this one caps the number of sessions and closes idle ones, because the
 * endpoint has no authentication.
 */
export class McpSessions {
  private readonly sessions = new Map<string, Session>();
  private sweepTimer: ReturnType<Clock['setTimeout']> | undefined;
  private closed = false;

  constructor(
    private readonly createServer: () => McpServer,
    private readonly limits: McpSessionLimits,
    private readonly clock: Clock,
  ) {}

  get size(): number {
    return this.sessions.size;
  }

  get(sessionId: string): StreamableHTTPServerTransport | undefined {
    return this.sessions.get(sessionId)?.transport;
  }

  /**
   * A transport for a new session. It joins the table when the SDK assigns its id (during the
   * initialize request it is handed), and leaves it when closed by DELETE, eviction or shutdown.
   */
  async open(): Promise<StreamableHTTPServerTransport> {
    const server = this.createServer();
    const transport: StreamableHTTPServerTransport = new StreamableHTTPServerTransport({
      sessionIdGenerator: randomUUID,
      keepAliveMs: KEEP_ALIVE_MS,
      onsessioninitialized: (sessionId) => {
        this.makeRoom();
        this.sessions.set(sessionId, { transport, server, lastSeenMs: this.clock.now(), openRequests: 0 });
        this.armSweep();
      },
    });
    transport.onclose = () => {
      if (transport.sessionId !== undefined) this.sessions.delete(transport.sessionId);
    };
    await server.connect(transport);
    return transport;
  }

  /** Marks a request of the session as started; the returned function marks it finished. */
  track(sessionId: string): () => void {
    const session = this.sessions.get(sessionId);
    if (!session) return () => undefined;
    session.openRequests += 1;
    session.lastSeenMs = this.clock.now();
    return () => {
      session.openRequests -= 1;
      session.lastSeenMs = this.clock.now();
    };
  }

  async closeAll(): Promise<void> {
    this.closed = true;
    if (this.sweepTimer !== undefined) this.clock.clearTimeout(this.sweepTimer);
    await Promise.allSettled(Array.from(this.sessions.values(), (session) => session.server.close()));
    this.sessions.clear();
  }

  private makeRoom(): void {
    while (this.sessions.size >= this.limits.maxSessions) {
      let oldest: [string, Session] | undefined;
      for (const entry of this.sessions)
        if (!oldest || entry[1].lastSeenMs < oldest[1].lastSeenMs) oldest = entry;
      if (!oldest) return;
      this.close(oldest[0], oldest[1]);
    }
  }

  private close(sessionId: string, session: Session): void {
    this.sessions.delete(sessionId);
    // Closing ends its open streams; there is nobody to report a failure to.
    session.server.close().catch(() => undefined);
  }

  /** One timer for all sessions, armed only while there are some. */
  private armSweep(): void {
    if (this.sweepTimer !== undefined || this.closed) return;
    this.sweepTimer = this.clock.setTimeout(() => {
      this.sweepTimer = undefined;
      const now = this.clock.now();
      for (const [sessionId, session] of this.sessions) {
        if (session.openRequests === 0 && now - session.lastSeenMs >= this.limits.idleTimeoutMs) {
          this.close(sessionId, session);
        }
      }
      if (this.sessions.size > 0) this.armSweep();
    }, this.limits.idleTimeoutMs / 2);
  }
}

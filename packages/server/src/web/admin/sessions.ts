import { hash, randomBytes } from 'node:crypto';
import type { Clock } from '../../time/clock.js';

/** A one-time message shown on the next page the session sees: what a form did, or why it did not. */
export interface Notice {
  kind: 'done' | 'problem';
  text: string;
}

/** A signed-in browser: its synchronizer token goes into every form it is shown. */
export interface AdminSession {
  readonly id: string;
  readonly csrfToken: string;
  notice?: Notice;
}

interface StoredSession extends AdminSession {
  readonly createdAtMs: number;
  lastUsedAtMs: number;
}

export interface AdminSessionOptions {
  clock: Clock;
  /** A session unused this long ends. */
  idleMs?: number;
  /** A session ends this long after sign-in, used or not. */
  maxAgeMs?: number;
  /** Sessions kept at once; signing in past it ends the least recently used one. */
  maxSessions?: number;
}

const IDLE_MS = 30 * 60 * 1000;
const MAX_AGE_MS = 12 * 3600 * 1000;
/** Operators are few; a bound keeps a script that signs in over and over from growing memory. */
const MAX_SESSIONS = 100;

/** 256 random bits, URL-safe: neither guessable nor countable. */
const randomToken = () => randomBytes(32).toString('base64url');
/** Sessions are looked up by digest, so a lookup's timing says nothing about stored ids. */
const digest = (id: string) => hash('sha256', id, 'base64url');

/**
 * The admin console's sessions, in memory: a restart signs everyone out, which is the safe side.
 * Each has a random id (the cookie) and a random CSRF token, an idle expiry and a maximum age.
 */
export class AdminSessions {
  private readonly sessions = new Map<string, StoredSession>();
  private readonly idleMs: number;
  private readonly maxAgeMs: number;
  private readonly maxSessions: number;

  constructor(private readonly options: AdminSessionOptions) {
    this.idleMs = options.idleMs ?? IDLE_MS;
    this.maxAgeMs = options.maxAgeMs ?? MAX_AGE_MS;
    this.maxSessions = options.maxSessions ?? MAX_SESSIONS;
  }

  /** The longest a session can live, for the cookie's Max-Age. */
  get maxAgeSeconds(): number {
    return Math.floor(this.maxAgeMs / 1000);
  }

  create(): AdminSession {
    const nowMs = this.options.clock.now();
    this.forgetExpired(nowMs);
    const session: StoredSession = {
      id: randomToken(),
      csrfToken: randomToken(),
      createdAtMs: nowMs,
      lastUsedAtMs: nowMs,
    };
    this.sessions.set(digest(session.id), session);
    // The map's order is least recently used first.
    for (const key of this.sessions.keys()) {
      if (this.sessions.size <= this.maxSessions) break;
      this.sessions.delete(key);
    }
    return session;
  }

  /** The live session with this id, now counted as used; undefined when unknown or expired. */
  find(id: string | undefined): AdminSession | undefined {
    if (id === undefined || id === '') return undefined;
    const key = digest(id);
    const session = this.sessions.get(key);
    if (session === undefined) return undefined;
    const nowMs = this.options.clock.now();
    this.sessions.delete(key);
    if (this.isExpired(session, nowMs)) return undefined;
    session.lastUsedAtMs = nowMs;
    this.sessions.set(key, session);
    return session;
  }

  end(id: string): void {
    this.sessions.delete(digest(id));
  }

  get size(): number {
    return this.sessions.size;
  }

  private isExpired(session: StoredSession, nowMs: number): boolean {
    return nowMs - session.lastUsedAtMs >= this.idleMs || nowMs - session.createdAtMs >= this.maxAgeMs;
  }

  private forgetExpired(nowMs: number): void {
    for (const [key, session] of this.sessions) {
      if (this.isExpired(session, nowMs)) this.sessions.delete(key);
    }
  }
}

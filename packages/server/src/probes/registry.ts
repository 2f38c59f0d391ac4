import { dnsProbe } from './dns.js';
import { grpcProbe } from './grpc.js';
import { httpProbe } from './http.js';
import { icmpProbe } from './icmp.js';
import { mqttProbe } from './mqtt.js';
import { mysqlProbe } from './mysql.js';
import { postgresProbe } from './postgres.js';
import { redisProbe } from './redis.js';
import { scriptProbe } from './script.js';
import { sshProbe } from './ssh.js';
import { tcpProbe } from './tcp.js';
import { tlsProbe } from './tls.js';

/**
 * Every probe kind, the one list of them: Vigil's (spec §4.1) first, then Vigil TS's, then scripts.
 * The target and address unions (types.ts), the URL grammar and its parsing (replica-url.ts), the
 * check-config summary and vigil-local's grammar are read from it, in this order; so a new kind is
 * its file (its target, check and URL form), its test, and one line here.
 */
export const PROBE_KINDS = [
  icmpProbe,
  tcpProbe,
  sshProbe,
  tlsProbe,
  httpProbe,
  // Vigil TS's own, after Vigil's.
  mysqlProbe,
  mqttProbe,
  grpcProbe,
  dnsProbe,
  redisProbe,
  postgresProbe,
  // Not named by URLs: script nodes list their scripts.
  scriptProbe,
] as const;

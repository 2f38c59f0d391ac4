import type { FastifyInstance } from 'fastify';
import type { BrandingConfig } from '../../config/schema.js';
import type { HealthModel, NodeState, ReplicaState } from '../../model/health-model.js';
import { formatClockTime } from '../../time/format.js';
import { html, SafeHtml } from '../html.js';

const BANNER = {
  healthy: 'All systems report as healthy',
  sick: 'Minor service slowdown ongoing',
  dead: 'Partial service outage ongoing',
} as const;

const MODE_LINE = {
  poll: 'Checked via a poll probe (HTTP, SSH, TCP or ICMP).',
  push: 'Checked via a push probe (Reporter).',
  script: 'Checked via a script probe.',
  local: 'Checked via a local probe (internal).',
} as const;

function replicaItem(node: NodeState, replica: ReplicaState, position: number): SafeHtml {
  const details = [
    replica.load &&
      `Load: ${Math.round(replica.load.cpu * 100)}% Memory: ${Math.round(replica.load.ram * 100)}%`,
    replica.latencyMs !== undefined && `Latency: ${replica.latencyMs}ms`,
    replica.checkedAtMs === undefined && 'Not checked yet.',
  ].filter(Boolean);
  return html`<li class="replica ${replica.health}">
    <strong>${position}</strong> ${replica.health}
    ${node.spec.revealReplicaName ? html`<code>${replica.id}</code>` : ''}
    ${replica.reason ? html`<span class="reason">${replica.reason}</span>` : ''}
    <small>${MODE_LINE[node.spec.mode]} ${details.join(' ')}</small>
  </li>`;
}

/** A plain server-rendered page listing every service, node and replica with its state. */
export function renderPlainPage(model: HealthModel, branding: BrandingConfig): string {
  const updatedAt = model.updatedAtMs;
  const services = Array.from(model.services.values(), (service) => {
    const nodes = Array.from(service.nodes.values(), (node) => {
      const replicas = Array.from(node.replicas.values(), (replica, index) =>
        replicaItem(node, replica, index + 1),
      );
      const link = node.spec.linkUrl
        ? html` <a href="${node.spec.linkUrl}" rel="noopener">${node.spec.linkLabel ?? node.spec.linkUrl}</a>`
        : '';
      return html`<li class="node ${node.health}"><h3>${node.spec.label}: ${node.health}${link}</h3>
        <ul>${replicas}</ul></li>`;
    });
    return html`<section id="probe-${service.spec.id}"><h2>${service.spec.label}: ${service.health}</h2>
      <ul>${nodes}</ul></section>`;
  });
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${branding.page_title}</title>
<link rel="icon" href="${branding.icon_url}">
${new SafeHtml(branding.custom_html ?? '')}
</head><body>
<header><a href="${branding.website_url}">${branding.company_name}</a> · <a href="${branding.support_url}">Contact support</a></header>
<aside class="status-${model.pageHealth}"><h1>${BANNER[model.pageHealth]}</h1>
<p>${updatedAt === undefined ? 'not yet refreshed' : `refreshed ${formatClockTime(updatedAt)}`}</p></aside>
<main>${services}</main>
<footer>© ${new Date().getUTCFullYear()} ${branding.company_name}. This status page is powered by Vigil TS.</footer>
</body></html>`.value;
}

export function pageRoutes(app: FastifyInstance, options: { model: HealthModel; branding: BrandingConfig }) {
  app.get('/', async (_request, reply) =>
    reply.type('text/html; charset=utf-8').send(renderPlainPage(options.model, options.branding)),
  );
}

import type { NodeSpec } from '../../model/topology.js';
import type { ReplicaView } from '../../model/views.js';
import { html, type SafeHtml } from '../html.js';
import type { PageTexts } from './texts.js';

const percent = (ratio: number) => `${Math.round(ratio * 100)}%`;

/** Vigil's details line: load and memory (push), latency (poll, script), queue (RabbitMQ). */
function details(replica: ReplicaView, texts: PageTexts): string {
  const { detail } = texts;
  const parts: string[] = [];
  if (replica.load)
    parts.push(
      `${detail.load}: ${percent(replica.load.cpu)}`,
      `${detail.memory}: ${percent(replica.load.ram)}`,
    );
  if (replica.latencyMs !== undefined) parts.push(`${detail.latency}: ${Math.round(replica.latencyMs)}ms`);
  const queue = replica.queue;
  if (queue?.ready !== undefined && queue.nack !== undefined)
    parts.push(`${detail.queue}: ${queue.ready}R ${queue.nack}N`);
  return parts.join(' ');
}

/**
 * One numbered replica box and its tooltip. The box is focusable and described by the tooltip, which
 * CSS shows on hover and on focus, so it works by keyboard and without JavaScript. The replica's
 * name, and the failure reason that may contain it, appear only with `reveal_replica_name`.
 */
export function replicaItem(
  node: NodeSpec,
  replica: ReplicaView,
  position: number,
  key: string,
  texts: PageTexts,
): SafeHtml {
  const reveal = node.revealReplicaName;
  const detailLine = details(replica, texts);
  return html`<li class="replica is-${replica.health}"><span class="replica-box status-${replica.health}-background has-tooltip" id="r-${key}" tabindex="0" aria-describedby="t-${key}">${position}<span class="sr"> ${texts.health[replica.health]}</span></span><span class="tip tooltip" role="tooltip" id="t-${key}"><strong>${texts.replicaReports[replica.health]}</strong> <span>${texts.modeLine[node.mode]}</span>${
    reveal && html` <code>${replica.id}</code>`
  }${reveal && replica.reason !== undefined && html` <span>${replica.reason}</span>`}${
    detailLine && html` <span>${detailLine}</span>`
  }${replica.checkedAtMs === undefined && html` <span>${texts.notCheckedYet}</span>`}</span></li>`;
}

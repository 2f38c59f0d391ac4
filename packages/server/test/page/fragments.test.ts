import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import type { Health } from '../../src/model/health.js';
import type { HealthModel } from '../../src/model/health-model.js';
import type { NodeSpec } from '../../src/model/topology.js';
import { SafeHtml } from '../../src/web/html.js';
import {
  type FragmentInputs,
  PAGE_BOXES_LISTED_MAX,
  PAGE_NODES_LISTED_MAX,
  PageFragments,
  SUMMARY_NODES_MAX,
} from '../../src/web/page/fragments.js';
import type { HistoryView } from '../../src/web/page/history.js';
import { REPLICA_BOXES_MAX } from '../../src/web/page/services.js';
import { PAGE_TEXTS } from '../../src/web/page/texts.js';
import { MIXED_PROBES } from '../helpers/config.js';
import { FakeClock } from '../helpers/fake-clock.js';
import { sourcesFor, testModel } from '../helpers/model.js';

/** Poll, push, local and script nodes in two services; `reveal_replica_name` shows ids and reasons. */
const SMALL = MIXED_PROBES.replaceAll('mode = "poll"', 'mode = "poll"\nreveal_replica_name = true');

/** One service past PAGE_NODES_LISTED_MAX nodes (so the page summarises), then a small one. */
function largeConfig(nodes: number): string {
  const rows = Array.from(
    { length: nodes },
    (_, index) =>
      `[[probe.service.node]]\nid = "n${index}"\nlabel = "Node ${index}"\nmode = "poll"\nreplicas = ["tcp://10.1.${index >> 8}.${index & 255}:80", "tcp://10.2.${index >> 8}.${index & 255}:80"]\n`,
  );
  return `[[probe.service]]\nid = "fleet"\nlabel = "Fleet"\n${rows.join('')}${SMALL}`;
}

/** The page's inputs, each part of them changeable as the page's sources change them. */
function inputsOver(model: HealthModel) {
  const covered = new Set<string>();
  const strips = new Map<NodeSpec, SafeHtml>();
  const inputs = {
    texts: PAGE_TEXTS.en,
    assetUrl: (name: string) => `assets/${name}`,
    maintenance: {
      isUnderMaintenance: (serviceId: string, nodeId: string) => covered.has(`${serviceId}:${nodeId}`),
    },
    history: undefined as HistoryView | undefined,
  } satisfies FragmentInputs;
  const specs = [...model.services.values()].flatMap((service) =>
    [...service.nodes.values()].map((node) => node.spec),
  );
  return {
    read: (): FragmentInputs => inputs,
    specs,
    toggleMaintenance(spec: NodeSpec) {
      const key = `${spec.serviceId}:${spec.id}`;
      if (!covered.delete(key)) covered.add(key);
    },
    /** A new history view (the page history reads again): one node's strip changes. */
    setStrip(spec: NodeSpec, text: string) {
      strips.set(spec, new SafeHtml(`<div class="node-history">${text}</div>`));
      inputs.history = { nodes: new Map(strips), incidents: new SafeHtml(''), activeIncidents: '' };
    },
    toggleLanguage() {
      inputs.texts = inputs.texts === PAGE_TEXTS.en ? PAGE_TEXTS.fr : PAGE_TEXTS.en;
    },
  };
}

/** The services' part of the page rendered whole, from nothing cached. */
function fullRender(model: HealthModel, inputs: () => FragmentInputs): string {
  return new PageFragments(model).sections(inputs).value;
}

const HEALTHS: readonly Health[] = ['healthy', 'sick', 'dead'];

type Operation =
  | { kind: 'probe'; node: number; replica: number; health: Health; latencyMs: number }
  | { kind: 'push'; replica: number; cpu: number }
  | { kind: 'flush'; replica: number }
  | { kind: 'maintenance'; node: number }
  | { kind: 'strip'; node: number; text: string }
  | { kind: 'language' }
  | { kind: 'prepare' }
  | { kind: 'render' };

const operation: fc.Arbitrary<Operation> = fc.oneof(
  {
    arbitrary: fc.record({
      kind: fc.constant('probe' as const),
      node: fc.nat(),
      replica: fc.nat(),
      health: fc.constantFrom(...HEALTHS),
      latencyMs: fc.integer({ min: 1, max: 900 }),
    }),
    weight: 6,
  },
  fc.record({
    kind: fc.constant('push' as const),
    replica: fc.nat(3),
    cpu: fc.double({ min: 0, max: 1, noNaN: true }),
  }),
  fc.record({ kind: fc.constant('flush' as const), replica: fc.nat(3) }),
  fc.record({ kind: fc.constant('maintenance' as const), node: fc.nat() }),
  fc.record({ kind: fc.constant('strip' as const), node: fc.nat(), text: fc.string({ maxLength: 8 }) }),
  fc.constant({ kind: 'language' as const }),
  { arbitrary: fc.constant({ kind: 'prepare' as const }), weight: 2 },
  { arbitrary: fc.constant({ kind: 'render' as const }), weight: 2 },
);

/**
 * Applies random changes to a model watched by one PageFragments, rendering now and then, and
 * checks each render against a whole render of the same state. A render right after a partial pass
 * may show a change made during that pass one render late; the next render must not.
 */
function checkAgainstFullRenders(probes: string, runs: number) {
  const clock = new FakeClock();
  const model = testModel(probes, clock);
  const observe = sourcesFor(model, clock);
  const nodes = [...model.services.values()].flatMap((service) => [...service.nodes.values()]);
  const polled = nodes.filter((node) => node.spec.mode === 'poll');
  fc.assert(
    fc.property(fc.array(operation, { maxLength: 60 }), (operations) => {
      const inputs = inputsOver(model);
      const fragments = new PageFragments(model);
      const stop = fragments.watch(() => {});
      let changedDuringPass = false;
      let passOpen = false;
      const render = () => {
        const incremental = fragments.sections(inputs.read).value;
        if (!changedDuringPass) assert.equal(incremental, fullRender(model, inputs.read));
        passOpen = false;
        changedDuringPass = false;
      };
      try {
        for (const step of operations) {
          if (step.kind === 'render') render();
          else if (step.kind === 'prepare') {
            fragments.prepare(inputs.read, 0.05);
            passOpen = true;
          } else {
            changedDuringPass ||= passOpen;
            if (step.kind === 'probe') {
              const node = polled[step.node % polled.length];
              assert.ok(node);
              const replicaIds = [...node.replicas.keys()];
              const replicaId = replicaIds[step.replica % replicaIds.length] ?? '';
              observe.probe(
                { serviceId: node.spec.serviceId, nodeId: node.spec.id, replicaId },
                {
                  health: step.health,
                  latencyMs: step.latencyMs,
                  reason: step.health === 'healthy' ? undefined : `reason ${step.latencyMs}`,
                },
              );
            } else if (step.kind === 'push') {
              observe.push('web', 'app', `host-${step.replica}`, 30, { cpu: step.cpu, ram: 0.1 });
            } else if (step.kind === 'flush') {
              observe.flush('web', 'app', `host-${step.replica}`);
            } else if (step.kind === 'maintenance') {
              inputs.toggleMaintenance(inputs.specs[step.node % inputs.specs.length] as NodeSpec);
            } else if (step.kind === 'strip') {
              inputs.setStrip(inputs.specs[step.node % inputs.specs.length] as NodeSpec, step.text);
            } else inputs.toggleLanguage();
            clock.advance(1);
          }
        }
        render();
        // Whatever happened during a pass, the next one catches up.
        render();
      } finally {
        stop();
      }
    }),
    { numRuns: runs },
  );
}

describe('incremental page fragments', () => {
  test('after any sequence of changes, the page equals a whole render (every node listed)', () => {
    checkAgainstFullRenders(SMALL, 200);
  });

  test('after any sequence of changes, the page equals a whole render (summarised page)', () => {
    checkAgainstFullRenders(largeConfig(PAGE_NODES_LISTED_MAX + 10), 40);
  });

  test("a replica's change renders only its node's row again", () => {
    const clock = new FakeClock();
    const model = testModel(SMALL, clock);
    const observe = sourcesFor(model, clock);
    const inputs = inputsOver(model);
    const fragments = new PageFragments(model);
    const stop = fragments.watch(() => {});
    try {
      const first = fragments.sections(inputs.read).value;
      assert.equal(fragments.rowsRendered, 4, 'one row per node at first');
      observe.probe(
        { serviceId: 'web', nodeId: 'api', replicaId: 'tcp://127.0.0.1:1' },
        { health: 'dead', latencyMs: 10, reason: 'refused' },
      );
      const second = fragments.sections(inputs.read).value;
      assert.equal(fragments.rowsRendered, 5, 'only the API row again');
      assert.notEqual(second, first);
      assert.equal(second, fullRender(model, inputs.read));
      fragments.sections(inputs.read);
      assert.equal(fragments.rowsRendered, 5, 'nothing changed, nothing rendered');
      inputs.toggleMaintenance(inputs.specs[2] as NodeSpec);
      fragments.sections(inputs.read);
      assert.equal(fragments.rowsRendered, 6, 'maintenance on the gateway: its row only');
      inputs.toggleLanguage();
      fragments.sections(inputs.read);
      assert.equal(fragments.rowsRendered, 10, 'another language: every row');
    } finally {
      stop();
    }
  });

  test('a pass spread over prepare calls renders as a whole pass does', () => {
    const clock = new FakeClock();
    const model = testModel(largeConfig(PAGE_NODES_LISTED_MAX + 10), clock);
    const observe = sourcesFor(model, clock);
    for (let index = 0; index < 40; index += 1) {
      observe.probe(
        {
          serviceId: 'fleet',
          nodeId: `n${index * 7}`,
          replicaId: `tcp://10.1.${(index * 7) >> 8}.${(index * 7) & 255}:80`,
        },
        { health: 'sick', latencyMs: 5 },
      );
    }
    const inputs = inputsOver(model);
    const fragments = new PageFragments(model);
    let slices = 1;
    while (!fragments.prepare(inputs.read, 0.01)) slices += 1;
    assert.ok(slices > 1, 'the pass took several slices');
    assert.equal(fragments.sections(inputs.read).value, fullRender(model, inputs.read));
  });
});

describe('a summarised page', () => {
  const clock = new FakeClock();
  const size = PAGE_NODES_LISTED_MAX + 100;
  const model = testModel(largeConfig(size), clock);
  const observe = sourcesFor(model, clock);
  const inputs = inputsOver(model);
  const replicaOf = (index: number) => ({
    serviceId: 'fleet',
    nodeId: `n${index}`,
    replicaId: `tcp://10.1.${index >> 8}.${index & 255}:80`,
  });

  test('counts the healthy nodes of a service and lists its unhealthy ones, linking to all of them', () => {
    observe.probe(replicaOf(3), { health: 'sick', latencyMs: 5 });
    observe.probe(replicaOf(400), { health: 'dead', latencyMs: 5 });
    const html = fullRender(model, inputs.read);
    const fleet = html.slice(0, html.indexOf('id="probe-web"'));
    assert.ok(
      fleet.includes(`<p class="node-summary">${size} nodes: ${size - 2} healthy, 1 sick, 1 dead`),
      'counts',
    );
    assert.ok(fleet.includes('<a class="service-nodes" href="service/fleet/">All nodes</a>'));
    assert.deepEqual(
      [...fleet.matchAll(/<li class="node is-(\w+)/g)].map((match) => match[1]),
      ['sick', 'dead'],
    );
    assert.deepEqual(
      [...fleet.matchAll(/aria-label="(Node \d+) replicas"/g)].map((match) => match[1]),
      ['Node 3', 'Node 400'],
    );
    // The small service is summarised too, with nothing to list: every node is healthy.
    const web = html.slice(html.indexOf('id="probe-web"'));
    assert.ok(web.includes('2 nodes: 2 healthy <a class="service-nodes" href="service/web/">'));
    assert.ok(!web.includes('class="node '), 'no rows');
  });

  test(`lists at most SUMMARY_NODES_MAX unhealthy nodes, and says how many more there are`, () => {
    for (let index = 0; index < size; index += 1)
      observe.probe(replicaOf(index), { health: 'dead', latencyMs: 5 });
    const html = fullRender(model, inputs.read);
    assert.equal([...html.matchAll(/<li class="node /g)].length, SUMMARY_NODES_MAX);
    assert.ok(
      html.includes(`${size} nodes: ${size} dead (${size - SUMMARY_NODES_MAX} more not healthy than shown)`),
    );
  });
});

describe('when the page summarises', () => {
  /** `nodes` push nodes in one service; each report adds a replica. */
  const pushConfig = (nodes: number) =>
    `[[probe.service]]\nid = "fleet"\nlabel = "Fleet"\n${Array.from(
      { length: nodes },
      (_, index) => `[[probe.service.node]]\nid = "n${index}"\nlabel = "Node ${index}"\nmode = "push"\n`,
    ).join('')}`;

  test('rows that could show more than PAGE_BOXES_LISTED_MAX boxes summarise the page; fewer list every node again', () => {
    const clock = new FakeClock();
    const fullNodes = PAGE_BOXES_LISTED_MAX / REPLICA_BOXES_MAX;
    const model = testModel(pushConfig(fullNodes + 1), clock);
    const observe = sourcesFor(model, clock);
    const inputs = inputsOver(model);
    const fragments = new PageFragments(model);
    const stop = fragments.watch(() => {});
    const report = (node: number, replica: string) =>
      observe.push('fleet', `n${node}`, replica, 30, { cpu: 0.1, ram: 0.1 });
    const rows = (page: string) => [...page.matchAll(/<li class="node /g)].length;
    try {
      for (let node = 0; node < fullNodes; node += 1) {
        for (let replica = 0; replica < REPLICA_BOXES_MAX; replica += 1) report(node, `host-${replica}`);
      }
      const listed = fragments.sections(inputs.read).value;
      assert.equal(rows(listed), fullNodes + 1, 'PAGE_BOXES_LISTED_MAX boxes: every node listed');
      assert.ok(!listed.includes('node-summary'));
      report(fullNodes, 'one-more');
      const summarised = fragments.sections(inputs.read).value;
      assert.ok(
        summarised.includes(`${fullNodes + 1} nodes: ${fullNodes + 1} healthy`),
        'one box more: summarised',
      );
      assert.equal(rows(summarised), 0, 'every node healthy: none listed');
      assert.equal(summarised, fullRender(model, inputs.read));
      observe.flush('fleet', `n${fullNodes}`, 'one-more');
      assert.equal(rows(fragments.sections(inputs.read).value), fullNodes + 1, 'back under the bound');
    } finally {
      stop();
    }
  });
});

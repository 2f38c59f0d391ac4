import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Health } from '../../src/model/health.js';
import {
  type AlertPolicy,
  type AlertState,
  type Decision,
  INITIAL_ALERT_STATE,
  nextReminderAtMs,
  observe,
  startupIsTold,
} from '../../src/notify/alert-policy.js';

const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);
const S = 1000;
const DEAD = ['web:api:tcp://a:80'];

const VIGIL_DEFAULTS: AlertPolicy = {
  reminderBackoffFunction: 'none',
  reminderBackoffLimit: 3,
  reminderEscalate: false,
  notifySick: false,
};

function policy(overrides: Partial<AlertPolicy> = {}): AlertPolicy {
  return { ...VIGIL_DEFAULTS, ...overrides };
}

/** Feeds observations in order; returns the decisions and the final state. */
function run(
  steps: Array<{ status: Health; atS: number; dead?: string[]; ignoreUntilS?: number }>,
  rules: AlertPolicy,
  state: AlertState = INITIAL_ALERT_STATE,
) {
  const decisions: Array<Decision & { atS: number }> = [];
  let current = state;
  for (const { status, atS, dead, ignoreUntilS } of steps) {
    const step = observe(
      current,
      {
        status,
        deadReplicas: dead ?? (status === 'dead' ? DEAD : []),
        nowMs: T0 + atS * S,
        ignoreRemindersUntilMs: ignoreUntilS === undefined ? undefined : T0 + ignoreUntilS * S,
      },
      rules,
    );
    current = step.state;
    if (step.decision) decisions.push({ ...step.decision, atS });
  }
  return { decisions, state: current };
}

/** Times (s after T0) of every alert Vigil's 10 s sweep would not miss, for a page dead from T0 on. */
function reminderTimes(rules: AlertPolicy, untilS: number): number[] {
  let state = observe(INITIAL_ALERT_STATE, { status: 'dead', deadReplicas: DEAD, nowMs: T0 }, rules).state;
  const times: number[] = [];
  for (;;) {
    const dueAt = nextReminderAtMs(state, rules);
    if (dueAt === undefined || dueAt > T0 + untilS * S) return times;
    const step = observe(state, { status: 'dead', deadReplicas: DEAD, nowMs: dueAt }, rules);
    assert.equal(step.decision?.kind, 'reminder');
    times.push((dueAt - T0) / S);
    state = step.state;
  }
}

describe('decision table (spec §5)', () => {
  const cases: Array<[Health, Health, boolean]> = [
    ['healthy', 'dead', true],
    ['sick', 'dead', true],
    ['dead', 'healthy', true],
    ['dead', 'sick', true],
    ['healthy', 'sick', false],
    ['sick', 'healthy', false],
    ['healthy', 'healthy', false],
    ['sick', 'sick', false],
  ];
  for (const [from, to, told] of cases) {
    test(`${from} → ${to} ${told ? 'notifies' : 'does not notify'}`, () => {
      const state = {
        ...INITIAL_ALERT_STATE,
        lastStatus: from,
        notifiedAtMs: from === 'dead' ? T0 : undefined,
      };
      const step = observe(state, { status: to, deadReplicas: [], nowMs: T0 + S }, policy());
      assert.equal(step.decision !== undefined, told);
      if (told) assert.deepEqual(step.decision?.kind, 'changed');
      assert.equal(step.state.lastStatus, to);
    });
  }

  test('dead → dead with different replicas does not notify (no reminder interval)', () => {
    const { decisions } = run(
      [
        { status: 'dead', atS: 0, dead: ['a:b:1'] },
        { status: 'dead', atS: 5, dead: ['a:b:1', 'a:b:2'] },
        { status: 'dead', atS: 9, dead: ['a:b:2'] },
      ],
      policy(),
    );
    assert.deepEqual(
      decisions.map((each) => [each.kind, each.replicas]),
      [['changed', ['a:b:1']]],
    );
  });

  test('an alert carries the dead list, sets notified, and a change resets the counters', () => {
    const rules = policy({
      reminderIntervalMs: 60 * S,
      reminderBackoffFunction: 'linear',
      reminderEscalate: true,
    });
    const { decisions, state } = run(
      [
        { status: 'dead', atS: 0 },
        { status: 'dead', atS: 60 },
        { status: 'sick', atS: 70 },
      ],
      rules,
    );
    assert.deepEqual(
      decisions.map(({ kind, status, escalated }) => ({ kind, status, escalated })),
      [
        { kind: 'changed', status: 'dead', escalated: undefined },
        { kind: 'reminder', status: 'dead', escalated: 1 },
        { kind: 'changed', status: 'sick', escalated: undefined },
      ],
    );
    assert.equal(state.notifiedAtMs, T0 + 70 * S);
    assert.equal(state.escalateCounter, 0);
    assert.equal(state.backoffCounter, 1);
  });

  test('a change into dead keeps the counters, only a change to non-dead resets them', () => {
    const state = {
      ...INITIAL_ALERT_STATE,
      lastStatus: 'sick' as const,
      escalateCounter: 4,
      backoffCounter: 3,
    };
    const step = observe(state, { status: 'dead', deadReplicas: DEAD, nowMs: T0 }, policy());
    assert.equal(step.state.escalateCounter, 4);
    assert.equal(step.decision?.escalated, 4, 'Vigil sends the counter whenever it is above 0');
  });

  test('the recovered list names replicas of the last alert that are no longer dead (#80)', () => {
    const { decisions } = run(
      [
        { status: 'dead', atS: 0, dead: ['a:b:1', 'a:b:2'] },
        { status: 'sick', atS: 30, dead: [] },
      ],
      policy(),
    );
    assert.deepEqual(decisions[1]?.recovered, ['a:b:1', 'a:b:2']);
    assert.equal(decisions[0]?.recovered, undefined, 'only a change out of dead has one');
  });
});

describe('reminders', () => {
  test('none: every interval while dead', () => {
    assert.deepEqual(
      reminderTimes(policy({ reminderIntervalMs: 300 * S }), 1500),
      [300, 600, 900, 1200, 1500],
    );
  });

  test('linear, limit 3 (the spec example): +300, then +600, then every 900', () => {
    const rules = policy({ reminderIntervalMs: 300 * S, reminderBackoffFunction: 'linear' });
    assert.deepEqual(reminderTimes(rules, 4000), [300, 900, 1800, 2700, 3600]);
  });

  test('square and cubic grow by counter² and counter³ up to the limit', () => {
    const square = policy({ reminderIntervalMs: 300 * S, reminderBackoffFunction: 'square' });
    assert.deepEqual(reminderTimes(square, 9000), [300, 1500, 4200, 6900]);
    const cubic = policy({
      reminderIntervalMs: 300 * S,
      reminderBackoffFunction: 'cubic',
      reminderBackoffLimit: 2,
    });
    assert.deepEqual(reminderTimes(cubic, 6000), [300, 2700, 5100]);
  });

  test('a backoff limit of 0 behaves as 1, as in Vigil', () => {
    const rules = policy({
      reminderIntervalMs: 100 * S,
      reminderBackoffFunction: 'cubic',
      reminderBackoffLimit: 0,
    });
    assert.deepEqual(reminderTimes(rules, 350), [100, 200, 300]);
  });

  test('no reminder_interval, no reminders', () => {
    const state = observe(
      INITIAL_ALERT_STATE,
      { status: 'dead', deadReplicas: DEAD, nowMs: T0 },
      policy(),
    ).state;
    assert.equal(nextReminderAtMs(state, policy()), undefined);
  });

  test('escalation counts reminders: the first escalates target 0, the second targets 0–1', () => {
    const rules = policy({ reminderIntervalMs: 60 * S, reminderEscalate: true });
    const { decisions } = run(
      [0, 60, 120, 180].map((atS) => ({ status: 'dead' as const, atS })),
      rules,
    );
    assert.deepEqual(
      decisions.map((each) => each.escalated),
      [undefined, 1, 2, 3],
    );
  });

  test('escalation saturates at 65535', () => {
    const rules = policy({ reminderIntervalMs: 60 * S, reminderEscalate: true });
    const state: AlertState = {
      ...INITIAL_ALERT_STATE,
      lastStatus: 'dead',
      notifiedAtMs: T0,
      escalateCounter: 65_535,
    };
    const step = observe(state, { status: 'dead', deadReplicas: DEAD, nowMs: T0 + 60 * S }, rules);
    assert.equal(step.decision?.escalated, 65_535);
  });

  test('the ignore window postpones reminders to its end, but not changes', () => {
    const rules = policy({ reminderIntervalMs: 300 * S });
    const { decisions } = run(
      [
        { status: 'dead', atS: 0 },
        { status: 'dead', atS: 300, ignoreUntilS: 500 },
        { status: 'dead', atS: 499, ignoreUntilS: 500 },
        { status: 'dead', atS: 500, ignoreUntilS: 500 },
        { status: 'healthy', atS: 600, ignoreUntilS: 5000 },
        { status: 'dead', atS: 610, ignoreUntilS: 5000 },
      ],
      rules,
    );
    assert.deepEqual(
      decisions.map(({ kind, atS }) => [kind, atS]),
      [
        ['changed', 0],
        ['reminder', 500],
        ['changed', 600],
        ['changed', 610],
      ],
    );
    const dead = { ...INITIAL_ALERT_STATE, lastStatus: 'dead' as const, notifiedAtMs: T0 };
    assert.equal(nextReminderAtMs(dead, rules, T0 + 1000 * S), T0 + 1000 * S);
    assert.equal(nextReminderAtMs(dead, rules, T0 + 10 * S), T0 + 300 * S);
  });
});

describe('extensions', () => {
  test('notify_sick tells every change, sick ones included', () => {
    const { decisions } = run(
      [
        { status: 'sick', atS: 0 },
        { status: 'healthy', atS: 10 },
        { status: 'sick', atS: 20 },
        { status: 'dead', atS: 30 },
      ],
      policy({ notifySick: true }),
    );
    assert.deepEqual(
      decisions.map(({ status }) => status),
      ['sick', 'healthy', 'sick', 'dead'],
    );
  });
});

describe('incidents (extension)', () => {
  const incidents = (decisions: Array<Decision & { atS: number }>) =>
    decisions.map(({ kind, status, incident }) => [kind, status, incident]);

  test('the first dead alert opens one; reminders keep it; the recovery resolves it; the next outage is new', () => {
    const { decisions, state } = run(
      [
        { status: 'dead', atS: 0 },
        { status: 'dead', atS: 60 },
        { status: 'healthy', atS: 90 },
        { status: 'dead', atS: 200 },
      ],
      policy({ reminderIntervalMs: 60 * S }),
    );
    const first = { sinceMs: T0, resolved: false };
    assert.deepEqual(incidents(decisions), [
      ['changed', 'dead', first],
      ['reminder', 'dead', first],
      ['changed', 'healthy', { sinceMs: T0, resolved: true }],
      ['changed', 'dead', { sinceMs: T0 + 200 * S, resolved: false }],
    ]);
    assert.equal(state.incidentSinceMs, T0 + 200 * S);
  });

  test('without notify_sick, dead → sick is the last alert of the outage and resolves it', () => {
    const { decisions, state } = run(
      [
        { status: 'dead', atS: 0 },
        { status: 'sick', atS: 30 },
        { status: 'healthy', atS: 60 },
      ],
      policy(),
    );
    assert.deepEqual(incidents(decisions), [
      ['changed', 'dead', { sinceMs: T0, resolved: false }],
      ['changed', 'sick', { sinceMs: T0, resolved: true }],
    ]);
    assert.equal('incidentSinceMs' in state, false, 'a closed incident leaves no key in the stored state');
  });

  test('with notify_sick, sick opens it, dead and sick keep it, healthy resolves it', () => {
    const { decisions } = run(
      [
        { status: 'sick', atS: 0 },
        { status: 'dead', atS: 10 },
        { status: 'sick', atS: 20 },
        { status: 'healthy', atS: 30 },
      ],
      policy({ notifySick: true }),
    );
    const open = { sinceMs: T0, resolved: false };
    assert.deepEqual(incidents(decisions), [
      ['changed', 'sick', open],
      ['changed', 'dead', open],
      ['changed', 'sick', open],
      ['changed', 'healthy', { sinceMs: T0, resolved: true }],
    ]);
  });

  test('a change outside any outage has none, and a state restored without a start opens one at its next alert', () => {
    const { decisions } = run(
      [
        { status: 'sick', atS: 0 },
        { status: 'healthy', atS: 10 },
      ],
      policy({ notifySick: true }),
      { ...INITIAL_ALERT_STATE, lastStatus: 'dead' },
    );
    assert.deepEqual(incidents(decisions), [
      ['changed', 'sick', { sinceMs: T0, resolved: false }],
      ['changed', 'healthy', { sinceMs: T0, resolved: true }],
    ]);
    const healthy = run([{ status: 'healthy', atS: 0 }], policy({ notifySick: true }), {
      ...INITIAL_ALERT_STATE,
      lastStatus: 'sick',
    });
    assert.deepEqual(incidents(healthy.decisions), [['changed', 'healthy', undefined]]);
  });
});

describe('startup', () => {
  test('told from boot state and from a restored non-dead state, not from a restored dead one', () => {
    assert.equal(startupIsTold(INITIAL_ALERT_STATE), true);
    assert.equal(startupIsTold({ ...INITIAL_ALERT_STATE, lastStatus: 'sick' }), true);
    assert.equal(startupIsTold({ ...INITIAL_ALERT_STATE, lastStatus: 'dead', notifiedAtMs: T0 }), false);
  });

  test('a restored dead state does not tell dead again, and its reminders continue on schedule', () => {
    const rules = policy({ reminderIntervalMs: 300 * S });
    const restored = {
      ...INITIAL_ALERT_STATE,
      lastStatus: 'dead' as const,
      notifiedAtMs: T0,
      lastReplicas: DEAD,
    };
    const { decisions } = run(
      [
        { status: 'dead', atS: 100 },
        { status: 'dead', atS: 300 },
      ],
      rules,
      restored,
    );
    assert.deepEqual(
      decisions.map(({ kind, atS }) => [kind, atS]),
      [['reminder', 300]],
    );
  });
});

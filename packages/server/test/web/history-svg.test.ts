import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { latencySparklineSvg } from '../../src/web/history/latency-sparkline.js';
import {
  DAY_COLORS,
  dayState,
  daysSummary,
  duration,
  uptimeBarSvg,
  uptimePercent,
} from '../../src/web/history/uptime-bar.js';
import { uptimeDays } from '../../src/web/history/uptime-days.js';

const DAY = 86_400_000;
const T0 = Date.UTC(2026, 2, 1);
const row = (day: number, healthySeconds: number, sickSeconds = 0, deadSeconds = 0) => ({
  seriesId: 1,
  bucketMs: T0 + day * DAY,
  healthySeconds,
  sickSeconds,
  deadSeconds,
  samples: 0,
});

describe('90-day uptime bar', () => {
  test('fills the 90 days up to today from day rows; days without a row have no data', () => {
    const days = uptimeDays([row(89, 3600), row(10, 86_400)], T0 + 89 * DAY + 5000);
    assert.equal(days.length, 90);
    assert.equal(days[0]?.dayMs, T0);
    assert.equal(days[89]?.dayMs, T0 + 89 * DAY);
    assert.equal(days[10]?.healthySeconds, 86_400);
    assert.deepEqual(days[11], { dayMs: T0 + 11 * DAY, healthySeconds: 0, sickSeconds: 0, deadSeconds: 0 });
  });

  /** The bar's elements, left to right: state, colour, where the stroke starts, its length, its tooltip. */
  const runsOf = (svg: string) =>
    [...svg.matchAll(/<g class="day-(\w+)" stroke="([^"]+)">(.*?)<\/g>/g)]
      .flatMap(([, state, stroke, inner]) =>
        [...(inner ?? '').matchAll(/<path d="M(\d+) 12h(\d+)"><title>([^<]*)<\/title><\/path>/g)].map(
          ([, x, length, title]) => [Number(x), state, stroke, Number(length), title] as const,
        ),
      )
      .sort((a, b) => a[0] - b[0]);

  test('colours each day by its worst state and says so in its tooltip', () => {
    const days = uptimeDays([row(0, 86_400), row(1, 86_000, 400), row(2, 79_200, 0, 7200)], T0 + 3 * DAY, 4);
    assert.deepEqual(days.map(dayState), ['healthy', 'sick', 'dead', 'none']);
    const svg = uptimeBarSvg(days, 'API: 97.91% over 4 days').value;
    assert.deepEqual(runsOf(svg), [
      [0, 'healthy', DAY_COLORS.healthy, 3, '2026-03-01: healthy, 100.00% up'],
      [4, 'sick', DAY_COLORS.sick, 3, '2026-03-02: sick, 100.00% up (sick 7 min)'],
      [8, 'dead', DAY_COLORS.dead, 3, '2026-03-03: dead, 91.66% up (dead 2 h)'],
      [12, 'none', DAY_COLORS.none, 3, '2026-03-04: no data'],
    ]);
    // A cell per day: 3 units of stroke, 1 of gap.
    assert.match(
      svg,
      /^<svg class="uptime-bar" [^>]*viewBox="0 0 15 24"[^>]*fill="none" stroke-width="24" stroke-dasharray="3 1" role="img" tabindex="0" aria-label="API: 97.91% over 4 days">/,
    );
    assert.equal(
      daysSummary(days),
      'sick or dead on 2 days: 2026-03-03 dead 2 h, 2026-03-02 sick 7 min; no data on 1 day',
    );
    assert.equal(
      daysSummary(days, { shown: 1 }),
      'sick or dead on 2 days: 2026-03-03 dead 2 h, 1 more; no data on 1 day',
    );
    assert.equal(daysSummary(days.slice(0, 1)), 'no sick or dead time');
  });

  test('healthy days in a row, and days without data in a row, share one element; sick or dead days never', () => {
    const rows = [row(2, 3600), row(3, 86_400), row(4, 86_000, 400), row(5, 86_000, 400), row(6, 86_400)];
    const svg = uptimeBarSvg(uptimeDays(rows, T0 + 6 * DAY, 7), 'x').value;
    assert.deepEqual(
      runsOf(svg).map(([x, state, , length, title]) => [x, state, length, title]),
      [
        [0, 'none', 7, '2026-03-01 – 2026-03-02 (2 days): no data'],
        [8, 'healthy', 7, '2026-03-03 – 2026-03-04 (2 days): healthy, 100.00% up'],
        [16, 'sick', 3, '2026-03-05: sick, 100.00% up (sick 7 min)'],
        [20, 'sick', 3, '2026-03-06: sick, 100.00% up (sick 7 min)'],
        [24, 'healthy', 3, '2026-03-07: healthy, 100.00% up'],
      ],
    );
  });

  test('escapes the label', () => {
    assert.match(uptimeBarSvg([], '<b>"x"</b>').value, /aria-label="&lt;b&gt;&quot;x&quot;&lt;\/b&gt;"/);
  });

  test('uptime is rounded down, so a short outage never shows as 100%', () => {
    assert.equal(uptimePercent({ healthySeconds: 86_399, sickSeconds: 0, deadSeconds: 1 }), '99.99%');
    assert.equal(uptimePercent({ healthySeconds: 0, sickSeconds: 10, deadSeconds: 0 }), '100.00%');
    assert.equal(uptimePercent({ healthySeconds: 0, sickSeconds: 0, deadSeconds: 0 }), null);
    assert.deepEqual(
      [30, 60, 2700, 7200, 7500, 86_400, 100_000].map((seconds) => duration(seconds)),
      ['30 s', '1 min', '45 min', '2 h', '2 h 5 min', '1 d', '1 d 3 h'],
    );
  });
});

describe('latency sparkline', () => {
  const point = (minute: number, p50Ms?: number, p95Ms?: number) => ({
    tMs: T0 + minute * 60_000,
    p50Ms,
    p95Ms,
  });

  test('draws p95 and p50 on one scale, broken where a bucket has no sample', () => {
    const svg = latencySparklineSvg(
      [point(0, 10, 20), point(1, 10, 40), point(2), point(3, 5, 10), point(4, 5, 40)],
      'API latency',
      undefined,
      { width: 40, height: 21 },
    ).value;
    const p95 = svg.match(/class="p95" d="([^"]*)"/)?.[1];
    assert.equal(p95, 'M0 10.5L10 1M30 15.3L40 1');
    assert.equal(svg.match(/class="p50" d="([^"]*)"/)?.[1], 'M0 15.3L10 15.3M30 17.6L40 17.6');
    assert.match(svg, /aria-label="API latency: p95 up to 40 ms"/);
    assert.doesNotMatch(svg, /NaN|Infinity/);
  });

  test('a lone sample shows as a dot, and a series without samples says no data', () => {
    const lone = latencySparklineSvg([point(0), point(1, 3, 7), point(2)], 'x').value;
    assert.match(lone, /class="p95" d="M60 1h0"/);
    const empty = latencySparklineSvg([point(0), point(1)], 'DB latency').value;
    assert.match(empty, /aria-label="DB latency: no data"/);
    assert.match(empty, /class="p95" d=""/);
    assert.doesNotMatch(latencySparklineSvg([], 'none').value, /NaN|Infinity/);
  });
});

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { latencySparklineSvg } from '../../src/web/history/latency-sparkline.js';
import {
  DAY_COLORS,
  dayState,
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

  test('colours each day by its worst state and says so in its tooltip', () => {
    const days = uptimeDays([row(0, 86_400), row(1, 86_000, 400), row(2, 79_200, 0, 7200)], T0 + 3 * DAY, 4);
    assert.deepEqual(days.map(dayState), ['healthy', 'sick', 'dead', 'none']);
    const svg = uptimeBarSvg(days, 'API: 97.91% over 4 days').value;
    const rects = [
      ...svg.matchAll(/<rect class="day day-(\w+)"[^>]*fill="([^"]+)"><title>([^<]*)<\/title>/g),
    ];
    assert.deepEqual(
      rects.map(([, state, fill, title]) => [state, fill, title]),
      [
        ['healthy', DAY_COLORS.healthy, '2026-03-01: 100.00% up'],
        ['sick', DAY_COLORS.sick, '2026-03-02: 100.00% up (sick 7 min)'],
        ['dead', DAY_COLORS.dead, '2026-03-03: 91.66% up (dead 2 h)'],
        ['none', DAY_COLORS.none, '2026-03-04: no data'],
      ],
    );
    assert.match(
      svg,
      /^<svg class="uptime-bar" [^>]*viewBox="0 0 15 24"[^>]*role="img" aria-label="API: 97.91% over 4 days">/,
    );
  });

  test('escapes the label', () => {
    assert.match(uptimeBarSvg([], '<b>"x"</b>').value, /aria-label="&lt;b&gt;&quot;x&quot;&lt;\/b&gt;"/);
  });

  test('uptime is rounded down, so a short outage never shows as 100%', () => {
    assert.equal(uptimePercent({ healthySeconds: 86_399, sickSeconds: 0, deadSeconds: 1 }), '99.99%');
    assert.equal(uptimePercent({ healthySeconds: 0, sickSeconds: 10, deadSeconds: 0 }), '100.00%');
    assert.equal(uptimePercent({ healthySeconds: 0, sickSeconds: 0, deadSeconds: 0 }), null);
    assert.deepEqual([30, 60, 2700, 7200, 7500].map(duration), [
      '30 s',
      '1 min',
      '45 min',
      '2 h',
      '2 h 5 min',
    ]);
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

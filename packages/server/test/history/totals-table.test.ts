import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { TotalsTable } from '../../src/history/totals-table.js';
import type { HealthTotals } from '../../src/store/types.js';

describe('packed totals of every series', () => {
  test('each series finds its own totals, whatever order the store gave them in', () => {
    const totals = new Map<number, HealthTotals>();
    // Ids out of order, with gaps; every fourth with maintenance time.
    for (const id of [905, 3, 17, 1, 400_000, 2, 64, 65, 12_345]) {
      const each: HealthTotals = { healthySeconds: id * 1.5, sickSeconds: id % 7, deadSeconds: 0.25 };
      if (id % 4 === 1) each.maintenanceSeconds = 30;
      totals.set(id, each);
    }
    const table = new TotalsTable(totals);
    for (const [id, each] of totals) assert.deepEqual(table.get(id), each, `series ${id}`);
    for (const id of [0, 4, 66, 906, 400_001]) assert.equal(table.get(id), undefined, `series ${id}`);
    assert.equal(new TotalsTable(new Map()).get(1), undefined);
  });
});

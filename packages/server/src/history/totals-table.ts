import type { HealthTotals } from '../store/types.js';

/** Seconds kept per series: healthy, sick, dead, maintenance. */
const COLUMNS = 4;

/**
 * Every series' totals over one range, packed: the series' ids in ascending order and four numbers
 * each, where a map of objects cost ~80 bytes per series (two ranges are kept, for every series of
 * the fleet, once history has a day or more).
 */
export class TotalsTable {
  private readonly ids: Float64Array;
  private readonly seconds: Float64Array;

  constructor(totals: ReadonlyMap<number, HealthTotals>) {
    this.ids = Float64Array.from(totals.keys()).sort();
    this.seconds = new Float64Array(this.ids.length * COLUMNS);
    this.ids.forEach((id, index) => {
      const each = totals.get(id);
      if (!each) return;
      const at = index * COLUMNS;
      this.seconds[at] = each.healthySeconds;
      this.seconds[at + 1] = each.sickSeconds;
      this.seconds[at + 2] = each.deadSeconds;
      this.seconds[at + 3] = each.maintenanceSeconds ?? 0;
    });
  }

  /** The series' totals, as the map held them; undefined when it had none. */
  get(id: number): HealthTotals | undefined {
    let low = 0;
    let high = this.ids.length - 1;
    while (low <= high) {
      const middle = (low + high) >> 1;
      const found = this.ids[middle] ?? 0;
      if (found === id) return this.totalsAt(middle);
      if (found < id) low = middle + 1;
      else high = middle - 1;
    }
    return undefined;
  }

  private totalsAt(index: number): HealthTotals {
    const at = index * COLUMNS;
    const totals: HealthTotals = {
      healthySeconds: this.seconds[at] ?? 0,
      sickSeconds: this.seconds[at + 1] ?? 0,
      deadSeconds: this.seconds[at + 2] ?? 0,
    };
    const maintenanceSeconds = this.seconds[at + 3] ?? 0;
    if (maintenanceSeconds > 0) totals.maintenanceSeconds = maintenanceSeconds;
    return totals;
  }
}

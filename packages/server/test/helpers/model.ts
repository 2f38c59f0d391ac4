import { HealthModel, type HealthModelSettings } from '../../src/model/health-model.js';
import { buildTopology } from '../../src/model/topology.js';
import type { Clock } from '../../src/time/clock.js';
import { testConfig } from './config.js';

/** Vigil's default delays and thresholds; a test overrides what it is about. */
export const MODEL_SETTINGS: HealthModelSettings = {
  pushDelayDeadSeconds: 20,
  localDelayDeadSeconds: 40,
  pushCpuSickAbove: 0.9,
  pushRamSickAbove: 0.9,
};

/** A model over `probes` (probe tables, as TOML) on `clock`. */
export function testModel(probes: string, clock: Clock, settings: Partial<HealthModelSettings> = {}) {
  return new HealthModel(buildTopology(testConfig(probes)), { ...MODEL_SETTINGS, ...settings }, clock);
}

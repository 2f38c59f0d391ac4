import { killFlappingSuite } from './kill-flapping-suite.js';

killFlappingSuite('postgres');

import { restartSuite } from './restart-suite.js';

restartSuite('postgres');

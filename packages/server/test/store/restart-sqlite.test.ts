import { restartSuite } from './restart-suite.js';

restartSuite('sqlite');

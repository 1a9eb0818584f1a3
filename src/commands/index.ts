import BrokerStart from './broker/start.ts';
import Version from './version.ts';
import WorkerStart from './worker/start.ts';

export const COMMANDS = {
  'broker:start': BrokerStart,
  version: Version,
  'worker:start': WorkerStart,
};

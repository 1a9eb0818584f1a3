import BrokerStart from './broker/start.ts';
import Version from './version.ts';

export const COMMANDS = {
  'broker:start': BrokerStart,
  version: Version,
};

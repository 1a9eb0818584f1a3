import Version from './version.ts';

export const COMMANDS = {
  version: Version,
};

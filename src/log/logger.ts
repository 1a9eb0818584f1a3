/** The broker's and worker's log: JSON lines when stdout is not a terminal, readable lines when it is. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export type Fields = Record<string, unknown>;

export interface Logger {
  debug(message: string, fields?: Fields): void;
  info(message: string, fields?: Fields): void;
  warn(message: string, fields?: Fields): void;
  error(message: string, fields?: Fields): void;
}

export function createLogger(component: string, level: LogLevel = 'info', stream: NodeJS.WriteStream = process.stdout): Logger {
  const json = !stream.isTTY;
  const write = (at: LogLevel, message: string, fields: Fields = {}) => {
    if (RANK[at] < RANK[level]) return;
    if (json) {
      stream.write(`${JSON.stringify({ time: new Date().toISOString(), level: at, component, msg: message, ...fields })}\n`);
    } else {
      const extra = Object.entries(fields).map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`);
      stream.write(`${new Date().toISOString().slice(11, 23)} ${at.toUpperCase().padEnd(5)} ${component}: ${message}${extra.length ? ` ${extra.join(' ')}` : ''}\n`);
    }
  };
  return {
    debug: (message, fields) => write('debug', message, fields),
    info: (message, fields) => write('info', message, fields),
    warn: (message, fields) => write('warn', message, fields),
    error: (message, fields) => write('error', message, fields),
  };
}

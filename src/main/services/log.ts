/**
 * The services' logger: a narrow interface so that tests can capture lines and
 * the Electron main process and the browser host can route them as they like.
 */
export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

/** Writes to stderr with a prefix naming the component. */
export function consoleLogger(prefix: string): Logger {
  const line = (level: string, message: string) => console.error(`[${prefix}] ${level} ${message}`);
  return {
    info: (m) => line('info', m),
    warn: (m) => line('warn', m),
    error: (m) => line('error', m),
  };
}

export const silentLogger: Logger = { info() {}, warn() {}, error() {} };

// The shared structured logger lives in @mo/api (daemon helpers); re-exported for agent modules.
export { createLogger, isLogLevel, type Logger, type LogLevel } from '@mo/api';

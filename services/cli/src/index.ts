export { start, SERVICES, type StartedPlatform } from './commands/start';
export { COMMANDS } from './commands';
export { UsageError, type Command } from './commands/types';

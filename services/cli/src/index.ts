export { start, SERVICES, type StartedPlatform } from './commands/start';

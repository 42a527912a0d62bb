// Every subcommand of `lagebild`, in the order the help lists them.
import { startCommand } from './start-command';
import type { Command } from './types';

export const COMMANDS: readonly Command[] = [startCommand];

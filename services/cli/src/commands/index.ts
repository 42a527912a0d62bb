// Every subcommand of `lagebild`, in the order the help lists them.
import { areasCommands } from './areas';
import { budgetCommands } from './budget';
import { goalsCommands } from './goals';
import { importCommand } from './import';
import { queryCommand } from './query';
import { replayCommand } from './replay';
import { startCommand } from './start-command';
import { tokenCommand } from './token';
import type { Command } from './types';

export const COMMANDS: readonly Command[] = [startCommand, ...areasCommands, importCommand, ...budgetCommands, ...goalsCommands, queryCommand, replayCommand, tokenCommand];

// Every subcommand of `lagebild`, in the order the help lists them.
import { areasCommands } from './areas';
import { auditCommand } from './audit';
import { budgetCommands } from './budget';
import { goalsCommands } from './goals';
import { importCommand } from './import';
import { queryCommand } from './query';
import { releaseCommands } from './release';
import { replayCommand } from './replay';
import { startCommand } from './start-command';
import { tenantCommands } from './tenant';
import { tokenCommand } from './token';
import type { Command } from './types';
import { userCommands } from './user';

export const COMMANDS: readonly Command[] = [startCommand, ...areasCommands, ...tenantCommands, ...releaseCommands, importCommand, ...budgetCommands, ...goalsCommands, queryCommand, replayCommand, ...userCommands, tokenCommand, auditCommand];

// The `skiff` command. Each subcommand lives in its own file and is loaded only when used, so
// `skiff up` pays for nothing it does not run.
import { Command } from 'commander';
import { addAgentCommand } from './agent.ts';
import { addBenchCommand } from './bench.ts';
import { addComposeCommands } from './compose.ts';
import { addSimCommand } from './sim.ts';
import { addSloCommand } from './slo.ts';
import { addTokenCommands } from './token.ts';
import { addServerCommands } from './up.ts';

const program = new Command('skiff')
  .description('A container orchestration platform that speaks the Kubernetes API')
  .version('0.1.0')
  .showHelpAfterError();

addServerCommands(program);
addComposeCommands(program);
addTokenCommands(program);
addAgentCommand(program);
addSloCommand(program);
addBenchCommand(program);
addSimCommand(program);

await program.parseAsync(process.argv);

#!/usr/bin/env node
import { serve } from "./serve.js";
import { token } from "./token.js";

const HELP = `usage: livegate <command> [flags]
  serve   run the gateway (default)    livegate serve --help
  token   print a signed token         livegate token --user alice`;

const [command, ...rest] = process.argv.slice(2);
const run = async (): Promise<void> => {
  switch (command) {
    case undefined:
    case "serve":
      return serve(rest);
    case "token":
      return token(rest);
    case "help":
    case "--help":
    case "-h":
      console.log(HELP);
      return;
    default:
      if (command.startsWith("--")) return serve([command, ...rest]);
      console.error(`livegate: unknown command "${command}"\n${HELP}`);
      process.exitCode = 2;
  }
};
run().catch((err: unknown) => {
  console.error(`livegate: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});

// What a command gets and what it is: the command table (commands.ts) and every command import this file, so
// neither imports the other.

export interface CommandContext {
  readonly root: string;
  readonly flags: Readonly<Record<string, string | boolean | string[] | undefined>>;
  readonly args: readonly string[];
}

export interface Command {
  readonly help?: string;
  /** The flags this command reads (besides --help); any other is refused rather than ignored. */
  readonly flags: readonly string[];
  /** How many positional arguments it takes (default 0). */
  readonly args?: number;
  /** Its first act is a worker job: the driver starts that worker before it imports the command. */
  readonly worker?: boolean;
  run(context: CommandContext): Promise<number>;
}

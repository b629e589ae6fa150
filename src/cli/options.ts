/** What each command is given by the command line: a module of types, so that a command imports them without running the CLI. */

export interface GlobalOptions {
  config?: string;
  logLevel: string;
}

export interface RunOptions {
  once?: boolean;
  dryRun?: boolean;
  /** Only these feeds (comma-separated ids). */
  feed?: string;
  /** false with --no-poll: publish what is due without polling. */
  poll?: boolean;
  /** A cycle started by the service: accounts that need attention stay so until the service starts or reloads. */
  keepAttention?: boolean;
}

export interface PreviewOptions {
  json?: boolean;
  limit?: number;
}

export interface PostOptions {
  to?: string;
  dryRun?: boolean;
  force?: boolean;
}

export interface StatusOptions {
  json?: boolean;
  dryRun?: boolean;
}

export interface CheckOptions {
  online?: boolean;
}

export interface ReviewOptions {
  to?: string;
  dryRun?: boolean;
}

export interface InitOptions {
  force?: boolean;
}

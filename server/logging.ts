// What the platform writes to its log, and what it never writes: request bodies, query strings, cookies,
// and the values a failed SQL statement was sent with (Drizzle puts every parameter — a whole 申请书,
// the 身份证号码's ciphertext, phone numbers — into its error message). A log line keeps what an operator
// needs to find the fault: the route, the error's type and code, the SQL text with placeholders, the stack.
import type { DestinationStream, LoggerOptions } from 'pino';

const MAX_CAUSE_DEPTH = 3;

/** Quoted literals in a database message ('…', "…", “…”) may be user input: keep the shape, drop the text. */
const redactLiterals = (message: string) =>
  message
    .replace(/'[^']*'/g, "'…'")
    .replace(/"[^"]*"/g, '"…"')
    .replace(/“[^”]*”/g, '“…”');

interface LoggedError {
  type: string;
  message: string;
  code?: string;
  constraint?: string;
  table?: string;
  column?: string;
  query?: string;
  stack?: string;
  cause?: LoggedError;
}

/** Every error in the log goes through this: no parameters, no detail rows, no quoted values. */
export function serializeError(err: unknown, depth = 0): LoggedError {
  if (!(err instanceof Error)) return { type: typeof err, message: '(non-error value)' };
  const e = err as Error & { code?: unknown; constraint?: unknown; table?: unknown; column?: unknown; query?: unknown; params?: unknown; severity?: unknown };
  const fromDatabase = 'params' in e || typeof e.severity === 'string' || e.constructor.name === 'DrizzleQueryError';
  let message = e.message;
  // DrizzleQueryError: "Failed query: <sql>\nparams: <values>": the SQL is kept (as `query`), the values never.
  if (typeof e.query === 'string' && 'params' in e) message = 'Failed query';
  else if (fromDatabase) message = redactLiterals(message.split('\n')[0] ?? '');
  const frames = (e.stack ?? '').split('\n').filter((line) => /^\s+at /.test(line));
  const out: LoggedError = {
    type: e.name || e.constructor.name,
    message,
    ...(typeof e.code === 'string' ? { code: e.code } : {}),
    ...(typeof e.constraint === 'string' ? { constraint: e.constraint } : {}),
    ...(typeof e.table === 'string' ? { table: e.table } : {}),
    ...(typeof e.column === 'string' ? { column: e.column } : {}),
    ...(typeof e.query === 'string' ? { query: e.query.slice(0, 2000) } : {}),
    stack: [`${e.name}: ${message}`, ...frames.slice(0, 20)].join('\n'),
  };
  if (e.cause !== undefined && depth < MAX_CAUSE_DEPTH) out.cause = serializeError(e.cause, depth + 1);
  return out;
}

interface LoggedRequest {
  method?: string;
  url?: string;
  routeOptions?: { url?: string };
  ip?: string;
}

/** The logger options of the Fastify app: level, the safe serializers and a redaction net behind them. */
export function loggerOptions(level: string, stream?: DestinationStream): LoggerOptions & { stream?: DestinationStream } {
  return {
    level,
    ...(stream ? { stream } : {}),
    serializers: {
      err: serializeError,
      error: serializeError,
      // the path without its query string: a 查询 keyword or a 找回 user name is personal data
      req: (req: LoggedRequest) => ({ method: req.method, url: (req.url ?? '').split('?')[0], route: req.routeOptions?.url, remoteAddress: req.ip }),
    },
    // A second net for whatever a future log call passes by mistake.
    redact: {
      paths: [
        'body',
        '*.body',
        'form',
        '*.form',
        'params',
        '*.params',
        'req.headers.cookie',
        'req.headers.authorization',
        'req.headers["x-csrf-token"]',
        'res.headers["set-cookie"]',
        '*.password',
        '*.idNumber',
        '*.mobile',
        '*.email',
      ],
      censor: '[已隐去]',
    },
  };
}

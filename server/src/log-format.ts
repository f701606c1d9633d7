/**
 * Log lines for a person at a terminal. pino writes one JSON object per line: right for
 * journald, files and log tools, hard to read at a glance. When stdout is a TTY the server
 * writes them as `13:34:01 INFO  library scan finished  tracks=3 read=3`; an error's stack
 * follows on indented lines. Pure formatting, no dependency (pino-pretty would bring a dozen).
 */
const LEVEL_NAMES: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };
/** Shown in the line's head, or not worth a terminal's width. */
const HEAD_FIELDS = new Set(['level', 'time', 'pid', 'hostname', 'msg', 'err']);

function fieldValue(value: unknown): string {
  if (typeof value === 'string') return /^[^\s"=]+$/.test(value) ? value : JSON.stringify(value);
  return JSON.stringify(value) ?? String(value);
}

function clockTime(ms: number): string {
  const date = new Date(ms);
  return [date.getHours(), date.getMinutes(), date.getSeconds()].map((n) => String(n).padStart(2, '0')).join(':');
}

/** One JSON log line -> one readable line (plus an error's stack). Anything else passes as is. */
export function formatLogLine(json: string): string {
  let record: unknown;
  try {
    record = JSON.parse(json);
  } catch {
    return json;
  }
  if (record === null || typeof record !== 'object' || Array.isArray(record)) return json;
  const fields = record as Record<string, unknown>;
  const time = typeof fields.time === 'number' ? `${clockTime(fields.time)} ` : '';
  const level = (LEVEL_NAMES[fields.level as number] ?? String(fields.level ?? '')).padEnd(5);
  const rest = Object.entries(fields)
    .filter(([key, value]) => !HEAD_FIELDS.has(key) && value !== undefined)
    .map(([key, value]) => `${key}=${fieldValue(value)}`);
  let line = `${time}${level} ${typeof fields.msg === 'string' ? fields.msg : ''}`;
  if (rest.length > 0) line += `  ${rest.join(' ')}`;
  const err = fields.err as { message?: unknown; stack?: unknown } | undefined;
  if (err !== undefined && err !== null) {
    const detail = typeof err.stack === 'string' ? err.stack : typeof err.message === 'string' ? err.message : JSON.stringify(err);
    line += `\n${detail.replace(/^/gm, '    ')}`;
  }
  return line;
}

/** A pino destination that writes readable lines to `out`. */
export function readableLogDestination(out: { write(text: string): unknown }): { write(chunk: string): void } {
  return {
    write(chunk) {
      for (const line of chunk.split('\n')) if (line !== '') out.write(`${formatLogLine(line)}\n`);
    },
  };
}

// Calendar keys of the counters kept per account; apart from pace.ts, whose slots need the cron parser.

const formatters = new Map<string, Intl.DateTimeFormat>();

function partsIn(date: Date, timezone: string): { year: string; month: string; day: string } {
  let format = formatters.get(timezone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-CA', { timeZone: timezone, year: 'numeric', month: '2-digit', day: '2-digit' });
    formatters.set(timezone, format);
  }
  const parts = Object.fromEntries(format.formatToParts(date).map((part) => [part.type, part.value]));
  return { year: parts.year!, month: parts.month!, day: parts.day! };
}

/** YYYY-MM-DD of `date` in `timezone`. */
export function dayKey(date: Date, timezone: string): string {
  const { year, month, day } = partsIn(date, timezone);
  return `${year}-${month}-${day}`;
}

/** YYYY-MM of `date` in `timezone`. */
export function monthKey(date: Date, timezone: string): string {
  const { year, month } = partsIn(date, timezone);
  return `${year}-${month}`;
}

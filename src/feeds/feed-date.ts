const offsetFormats = new Map<string, Intl.DateTimeFormat>();

/** How far `timezone`'s wall clock is ahead of UTC at `instant`, in ms. */
function zoneOffset(instant: number, timezone: string): number {
  let format = offsetFormats.get(timezone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', { timeZone: timezone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' });
    offsetFormats.set(timezone, format);
  }
  const parts = Object.fromEntries(format.formatToParts(instant).map((part) => [part.type, Number(part.value)]));
  const wall = Date.UTC(parts.year!, parts.month! - 1, parts.day!, parts.hour!, parts.minute!, parts.second!);
  return wall - Math.floor(instant / 1000) * 1000;
}

// A date that ends with its time of day (or is a bare ISO day) names no zone: "Mon, 01 Jan 2024 10:00", "2024-01-01T10:00:00".
const zoneless = /(?:[T\s]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?|^\d{4}-\d{2}-\d{2})$/;
const isoLocal = /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?))?$/;

/** The wall-clock reading of a zone-less date, as if it were UTC. */
function wallClock(text: string): number {
  const iso = isoLocal.exec(text);
  if (iso) return Date.parse(`${iso[1]}T${iso[2]?.padStart(5, '0') ?? '00:00'}Z`);
  return Date.parse(`${text} GMT`);
}

/**
 * A feed date as ISO 8601 UTC. A date that names its zone (Z, +02:00, GMT, EST) is read as it says; one that names
 * none is read in `timezone` (the configuration's), never in the zone of the machine heraut happens to run on.
 */
export function feedDate(value: string, timezone: string): string | undefined {
  const text = value.trim();
  if (!zoneless.test(text)) {
    const time = Date.parse(text);
    return Number.isNaN(time) ? undefined : new Date(time).toISOString();
  }
  const wall = wallClock(text);
  if (Number.isNaN(wall)) return undefined;
  // The offset at the guessed instant, then again at the corrected one, so a date near a DST change lands right.
  const guess = wall - zoneOffset(wall, timezone);
  return new Date(wall - zoneOffset(guess, timezone)).toISOString();
}

/**
 * HTTP-date (RFC 9110 §5.6.7), the format of Last-Modified, If-Modified-Since, Date and Retry-After.
 *
 * Senders use IMF-fixdate ("Sun, 06 Nov 1994 08:49:37 GMT"); recipients MUST also accept the obsolete RFC 850
 * ("Sunday, 06-Nov-94 08:49:37 GMT") and asctime ("Sun Nov  6 08:49:37 1994", GMT by definition) forms.
 * No clock is read; results never depend on the machine's time zone.
 */

const IMF_FIXDATE =
  /^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), (\d{2}) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) (\d{4}) (\d{2}):(\d{2}):(\d{2}) GMT$/;
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const isLeap = (y: number) => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;

/**
 * An IMF-fixdate's fields (year, month 1–12, day, hour, minute, second), or null when `value` is not one or names
 * an impossible date (Feb 30, hour 24, second 60). Day and month names are case-sensitive, as RFC 9110 writes them. `value` is taken as is (trim it first).
 */
export function parseImfFixdate(value: string): [number, number, number, number, number, number] | null {
  const m = IMF_FIXDATE.exec(value);
  if (!m) return null;
  const mo = MONTHS.indexOf(m[2]) + 1;
  const y = +m[3];
  const d = +m[1];
  const h = +m[4];
  const mi = +m[5];
  const s = +m[6];
  if (mo === 0 || y < 1 || d < 1 || d > (mo === 2 && isLeap(y) ? 29 : DAYS_IN_MONTH[mo - 1]) || h > 23 || mi > 59 || s > 59) return null;
  return [y, mo, d, h, mi, s];
}

/**
 * An HTTP-date in ms since the epoch, or null when absent or unparsable. IMF-fixdate is read field by field
 * (an impossible date is null); the obsolete forms go through Date.parse with GMT appended when no zone is named
 * (Date.parse would read a zoneless asctime date as local time).
 */
export function parseHttpDate(value: string | null | undefined): number | null {
  if (!value) return null;
  const v = value.trim();
  if (IMF_FIXDATE.test(v)) {
    const f = parseImfFixdate(v);
    return f === null ? null : Date.UTC(f[0], f[1] - 1, f[2], f[3], f[4], f[5]);
  }
  const ms = Date.parse(/(GMT|UTC|Z|[+-]\d{2}:?\d{2})$/i.test(v) ? v : `${v} GMT`);
  return Number.isFinite(ms) ? ms : null;
}

/** An HTTP-date as ISO 8601 UTC without milliseconds ("1994-11-06T08:49:37Z"); null when absent or unparsable. */
export function httpDateToIso(value: string | null | undefined): string | null {
  const ms = parseHttpDate(value);
  return ms === null ? null : new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
}

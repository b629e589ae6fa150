const NNBSP = '\u202F';
const URLISH = /(\S+:\/\/\S+|www\.\S+)/u;

function typesetPlain(text: string): string {
  return text
    .replace(/(?<=\S)[ \u00A0](?=[!?;:](\s|$))/gu, NNBSP)
    .replace(/(?<=[^\s!?;:])(?=[!?;](\s|$|[!?]))/gu, NNBSP)
    .replace(/(?<=[^\s\d!?;:])(?=:(\s|$))/gu, NNBSP)
    .replace(/«[ \u00A0\u202F]?/gu, `«${NNBSP}`)
    .replace(/[ \u00A0\u202F]?»/gu, `${NNBSP}»`);
}

/** French rules: narrow no-break space before ! ? ; : and inside « »; URLs and times such as 10:30 untouched. */
export function applyFrenchTypography(text: string): string {
  return text
    .split(URLISH)
    .map((part, i) => (i % 2 === 1 ? part : typesetPlain(part)))
    .join('');
}

/** Characters XML 1.0 does not allow at all, even escaped: C0 controls but tab and line ends, lone surrogates, U+FFFE/F. */
const NOT_XML = /\p{Cs}|[^\P{Cc}\t\n\r\u007F-\u009F]|[\uFFFE\uFFFF]/gu;

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
};

/** Text safe in XML character data and attribute values: markup escaped, unusable characters dropped. */
export function xmlText(value: string): string {
  return value.replace(NOT_XML, '').replace(/[&<>"']/g, (char) => ESCAPES[char] ?? char);
}

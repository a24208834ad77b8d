// String order by UTF-16 code units, as Go's sort.Strings orders them. Never localeCompare for
// machine strings: its first call loads ICU's collator and data, ~3 MB resident for good.
export const byCodeUnit = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

// Reading the tables the docs keep, for the tests that hold them to the code.
/** The rows of the first Markdown table whose header row starts with `firstColumn`, as cell lists. */
export function tableRows(markdown: string, firstColumn: string): string[][] {
  const lines = markdown.split("\n");
  const start = lines.findIndex((line) => new RegExp(`^\\|\\s*${firstColumn}\\s*\\|`).test(line));
  if (start < 0) throw new Error(`no table starting with "${firstColumn}"`);
  const rows: string[][] = [];
  for (const line of lines.slice(start + 2)) {
    if (!line.startsWith("|")) break;
    rows.push(
      line
        .split(/(?<!\\)\|/)
        .slice(1, -1)
        .map((cell) => cell.trim()),
    );
  }
  return rows;
}

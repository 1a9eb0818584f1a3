/**
 * oclif's own parse errors as one line. oclif reports a missing argument, two flags that clash or
 * a bad flag value over several lines ("Missing 1 required arg:\nid  task id\nSee more help with
 * --help"); printing only the first line would lose what is wrong.
 */
export function oneLineParseError(message: string): string {
  const all = message.split('\n').map((line) => line.trim());
  // What comes after the first blank line is advice (e.g. about flags with several values).
  const blank = all.indexOf('', 1);
  const lines = (blank > 0 ? all.slice(0, blank) : all).filter((line) => line !== '' && !/^See more help with/i.test(line));
  const first = lines[0] ?? '';
  const missing = /^Missing (\d+) required args?:?$/.exec(first);
  if (missing) {
    const names = lines.slice(1).map((line) => {
      const [name, ...description] = line.split(/\s{2,}/);
      return `${name!.toUpperCase()}${description.length > 0 ? ` (${description.join(' ')})` : ''}`;
    });
    return names.length === 0 ? first.replace(/:$/, '') : `missing argument${names.length === 1 ? '' : 's'} ${names.join(', ')}`;
  }
  if (/^The following errors? occurred:?$/.test(first)) return lines.slice(1).join('; ');
  const parsing = /^Parsing (--\S+)\s*$/.exec(first);
  if (parsing && lines.length > 1) return `${parsing[1]}: ${lines.slice(1).join(' ')}`;
  return message;
}

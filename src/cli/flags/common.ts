/** Flags shared by many commands, with docker's wording. */
import type { FlagSpec } from './spec.ts';
import { customFlag, stringFlag } from './spec.ts';

export const FORMAT_HELP = `Format output using a custom template:
'table':            Print output in table format with column headers (default)
'table TEMPLATE':   Print output in table format using the given Go template
'json':             Print in JSON format
'TEMPLATE':         Print output using the given Go template.
Refer to https://docs.docker.com/go/formatting/ for more information about formatting output with templates`;

export const INSPECT_FORMAT_HELP = `Format output using a custom template:
'json':             Print in JSON format
'TEMPLATE':         Print output using the given Go template.
Refer to https://docs.docker.com/go/formatting/ for more information about formatting output with templates`;

export function formatFlag(usage = FORMAT_HELP, short?: string): FlagSpec {
  return stringFlag('format', usage, { short });
}

export type Filters = [string, string][];

/** opts.FilterOpt: repeatable name=value, name lower-cased and both sides trimmed. */
export function filterFlag(usage = 'Filter output based on conditions provided', short: string | null = 'f'): FlagSpec {
  return customFlag<Filters>(
    'filter',
    usage,
    'filter',
    [],
    (value, cur) => {
      if (value === '') return cur;
      const eq = value.indexOf('=');
      if (eq < 0) throw new Error('bad format of filter (expected name=value)');
      return [...cur, [value.slice(0, eq).trim().toLowerCase(), value.slice(eq + 1).trim()]];
    },
    { short: short ?? undefined, defText: '' },
  );
}

/**
 * The "## Errors" section of a bench report: daemons that did not start, and each measure that failed on a slot,
 * with its message. Empty when nothing went wrong.
 */
export function errorsSection(slots: readonly { title: string; startError?: string }[], errors: Record<string, Record<string, string | undefined> | undefined>): string[] {
  const lines: string[] = [];
  for (const s of slots) if (s.startError) lines.push(`### ${s.title} did not start`, '', '```', s.startError, '```', '');
  for (const [id, bySlot] of Object.entries(errors)) {
    for (const [key, msg] of Object.entries(bySlot ?? {})) lines.push(`### ${id} on ${key}`, '', '```', msg ?? '', '```', '');
  }
  return lines.length ? ['## Errors', '', ...lines] : [];
}

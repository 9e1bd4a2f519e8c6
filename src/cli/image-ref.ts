/** The reference `berth pull` and `berth push` work on. */
import { parseNormalizedNamed, type Reference, tagNameOnly } from '../client/reference.ts';
import type { CliContext } from './context.ts';

/**
 * With --all-tags the argument must name a repository only; without, a bare name gets the default tag, which the
 * docker CLI announces unless --quiet.
 */
export function imageRefArg(ctx: CliContext, arg: string, o: { allTags: boolean; quiet: boolean }): Reference {
  const ref = parseNormalizedNamed(arg);
  const nameOnly = ref.tag === undefined && ref.digest === undefined;
  if (o.allTags && !nameOnly) throw new Error("tag can't be used with --all-tags/-a");
  if (o.allTags || !nameOnly) return ref;
  const tagged = tagNameOnly(ref);
  if (!o.quiet) ctx.out.write(`Using default tag: ${tagged.tag}\n`);
  return tagged;
}

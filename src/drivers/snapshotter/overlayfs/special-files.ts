/**
 * Device nodes, fifos and overlay whiteouts: Node cannot mknod, so a layer's special files are made by one `sh`
 * script (fed on stdin, so its length is not limited by ARG_MAX).
 */
export interface SpecialFile {
  /** Relative to the layer root. */
  path: string;
  type: 'char' | 'block' | 'fifo';
  major: number;
  minor: number;
  /** Permission bits (the caller applies owner, mode incl. setuid, and mtime afterwards). */
  mode: number;
}

export function shQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

export function mknodScript(root: string, files: readonly SpecialFile[]): string {
  const lines = [`cd ${shQuote(root)}`];
  for (const f of files) {
    const mode = (f.mode & 0o777).toString(8).padStart(3, '0');
    const p = shQuote(`./${f.path}`);
    if (f.type === 'fifo') lines.push(`mknod -m ${mode} ${p} p`);
    else lines.push(`mknod -m ${mode} ${p} ${f.type === 'char' ? 'c' : 'b'} ${f.major} ${f.minor}`);
  }
  return lines.join('\n') + '\n';
}

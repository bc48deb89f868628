/**
 * Whether `packettrail query` text is SPL rather than SQL: it starts with `|`, `search `,
 * `index=`, `sourcetype=`, `earliest=`/`latest=`, or `(` followed by one of those.
 */
export function looksLikeSpl(text: string): boolean {
  const t = text.trimStart();
  return /^(\||search\s|(\(\s*)*(index|sourcetype|earliest|latest)\s*=)/i.test(t);
}

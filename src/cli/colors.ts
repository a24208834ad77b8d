import pc from 'picocolors';

type Colors = ReturnType<typeof pc.createColors>;

/**
 * Colours for one output stream. picocolors decides once for stdout and also colours whenever
 * `CI` is set, so messages written to a pipe or a test's buffer got escape codes; colour is a
 * property of the stream the text goes to. NO_COLOR turns it off, FORCE_COLOR on.
 */
export function colorsFor(stream: NodeJS.WritableStream): Colors {
  const env = process.env;
  const on =
    !env.NO_COLOR &&
    (Boolean(env.FORCE_COLOR && env.FORCE_COLOR !== '0') || (stream as { isTTY?: boolean }).isTTY === true);
  return pc.createColors(on);
}

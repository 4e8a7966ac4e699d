// Where a long id (a signal's sender id, a client order id, a venue order id) may wrap: only
// after its own separators, never in the middle of a token ("egis-3-|a1b2…", not "egis-3-a1|b2").

const SEPARATOR = /[-_.:/@#|,;=+]/;

/** The id cut after each separator: the pieces a line may end on. "" gives []. */
export function idPieces(id: string): string[] {
  const pieces: string[] = [];
  let piece = "";
  for (const char of id) {
    piece += char;
    if (SEPARATOR.test(char)) {
      pieces.push(piece);
      piece = "";
    }
  }
  if (piece) pieces.push(piece);
  return pieces;
}

import * as React from "react";

import { idPieces } from "@/lib/id-breaks";
import { cn } from "@/lib/utils";

/** A long id in monospace that wraps only after its separators (a <wbr> after each), never
 * mid-token; a single token longer than the line (no separator to break at) wraps as a last
 * resort instead of overflowing the card. The whole id is its title and stays selectable. */
export function IdText({
  id,
  className,
  ...rest
}: { id: string; className?: string } & Omit<React.HTMLAttributes<HTMLSpanElement>, "id">) {
  return (
    <span
      className={cn("font-mono [overflow-wrap:anywhere]", className)}
      title={id}
      data-id-text
      {...rest}
    >
      {idPieces(id).map((piece, index) => (
        <React.Fragment key={index}>
          {index > 0 && <wbr />}
          {piece}
        </React.Fragment>
      ))}
    </span>
  );
}

import type { Reply } from "./replies.js";

/** What the HTTP layer does with a request: answer (maybe late), or misbehave at the socket. */
export type Outcome =
  | { reply: Reply; delayMs?: number; fault?: string }
  | { drop: "hang" | "reset"; fault: string };

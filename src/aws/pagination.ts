/**
 * Why a paginated AWS list was given up: a page cap reached or a token seen before (a server
 * that would make the client loop). `errorName` is the `error` label callers count it under.
 */
export class PaginationError extends Error {
  override readonly name = "PaginationError";

  constructor(
    readonly errorName: "TooManyPages" | "RepeatedMarker",
    message: string,
  ) {
    super(message);
  }
}

export interface PaginateOptions {
  /** The AWS operation, for messages. */
  operation: string;
  /** How the API names its continuation token (NextToken, NextMarker), for messages. */
  tokenName: string;
  /** At most this many pages are fetched; the next one is a `TooManyPages` error. */
  maxPages: number;
}

/**
 * Every page of one AWS list, in order, as an async iterator.
 *
 * - `fetchPage(token, pageNumber)` makes the call for one page (undefined token: the first).
 *   It is the per-page hook: a caller that retries a page (p-retry) or waits for a rate
 *   limiter does it in there.
 * - `nextToken(page)` says where the next page starts, or undefined when this is the last.
 *   It is where an API's own rule lives (KMS's `Truncated`); it may throw.
 *
 * One page cap and one repeated-token guard for every list the exporter reads.
 */
export async function* paginate<Page>(
  options: PaginateOptions,
  fetchPage: (token: string | undefined, pageNumber: number) => Promise<Page>,
  nextToken: (page: Page) => string | undefined,
): AsyncGenerator<Page, void, undefined> {
  const seen = new Set<string>();
  let token: string | undefined;
  for (let pageNumber = 1; ; pageNumber++) {
    if (pageNumber > options.maxPages) {
      throw new PaginationError(
        "TooManyPages",
        `${options.operation}: more than ${options.maxPages} pages; giving up`,
      );
    }
    const page = await fetchPage(token, pageNumber);
    yield page;
    token = nextToken(page) || undefined;
    if (token === undefined) return;
    if (seen.has(token)) {
      throw new PaginationError(
        "RepeatedMarker",
        `${options.operation}: ${options.tokenName} repeated on page ${pageNumber}; the pages would loop`,
      );
    }
    seen.add(token);
  }
}

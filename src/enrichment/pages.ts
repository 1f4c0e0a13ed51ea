import { type ClassifiedError, classifyError } from "../aws/errors.js";

/** One HTTP attempt of an enrichment call, as the API request counters hear it. */
export interface PageAttempt {
  operation: string;
  attempt: number;
  error?: ClassifiedError;
  cause?: unknown;
}

/** Why an enrichment ended without a result; `errorName` is the `error` label of its counter. */
export class EnrichmentError extends Error {
  override readonly name = "EnrichmentError";

  constructor(
    readonly errorName: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

export interface PagesOptions {
  operation: string;
  /** The job's signal: shutdown or a removed target stop the call. */
  signal: AbortSignal;
  /** Deadline of all pages together. */
  timeoutMs: number;
  maxPages: number;
  onAttempt: (event: PageAttempt) => void;
}

const DEADLINE: ClassifiedError = { name: "TimeoutError", retryable: false };

/**
 * Every page of one enrichment call, one HTTP attempt per page. Enrichments are not retried
 * within a round: the next round is their retry, and their last values stay meanwhile, so
 * they never hold up the store poll. A repeated token or too many pages end the call.
 */
export async function allPages<Page>(
  options: PagesOptions,
  fetchPage: (token: string | undefined, abortSignal: AbortSignal) => Promise<Page>,
  nextToken: (page: Page) => string | undefined,
): Promise<Page[]> {
  const signal = AbortSignal.any([options.signal, AbortSignal.timeout(options.timeoutMs)]);
  const pages: Page[] = [];
  const seen = new Set<string>();
  let token: string | undefined;
  for (let attempt = 1; ; attempt++) {
    if (attempt > options.maxPages) {
      throw new EnrichmentError(
        "TooManyPages",
        `${options.operation}: more than ${options.maxPages} pages`,
      );
    }
    let page: Page;
    try {
      page = await fetchPage(token, signal);
    } catch (cause) {
      const classified =
        signal.aborted && !options.signal.aborted ? DEADLINE : classifyError(cause);
      options.onAttempt({ operation: options.operation, attempt, error: classified, cause });
      throw new EnrichmentError(classified.name, (cause as Error)?.message ?? String(cause), {
        cause,
      });
    }
    options.onAttempt({ operation: options.operation, attempt });
    pages.push(page);
    token = nextToken(page) || undefined;
    if (token === undefined) return pages;
    if (seen.has(token)) {
      throw new EnrichmentError("RepeatedMarker", `${options.operation}: NextToken repeated`);
    }
    seen.add(token);
  }
}

import { type ClassifiedError, classifyError } from "../aws/errors.js";
import { PaginationError, paginate } from "../aws/pagination.js";

/** One HTTP attempt of an enrichment call, as the API request counters hear it. */
export interface PageAttempt {
  operation: string;
  attempt: number;
  /** Absent when the attempt succeeded. */
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
export async function enrichmentPages<Page>(
  options: PagesOptions,
  fetchPage: (token: string | undefined, abortSignal: AbortSignal) => Promise<Page>,
  nextToken: (page: Page) => string | undefined,
): Promise<Page[]> {
  const signal = AbortSignal.any([options.signal, AbortSignal.timeout(options.timeoutMs)]);
  const pages: Page[] = [];
  const fetchOne = async (token: string | undefined, attempt: number) => {
    try {
      const page = await fetchPage(token, signal);
      options.onAttempt({ operation: options.operation, attempt });
      return page;
    } catch (cause) {
      const classified =
        signal.aborted && !options.signal.aborted ? DEADLINE : classifyError(cause);
      options.onAttempt({ operation: options.operation, attempt, error: classified, cause });
      throw new EnrichmentError(classified.name, (cause as Error)?.message ?? String(cause), {
        cause,
      });
    }
  };
  try {
    const paging = {
      operation: options.operation,
      tokenName: "NextToken",
      maxPages: options.maxPages,
    };
    for await (const page of paginate(paging, fetchOne, nextToken)) pages.push(page);
  } catch (error) {
    if (error instanceof PaginationError) throw new EnrichmentError(error.errorName, error.message);
    throw error;
  }
  return pages;
}

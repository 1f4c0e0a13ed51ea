import { describe, expect, it } from "vitest";
import { PaginationError, paginate } from "../../src/aws/pagination.js";

const OPTIONS = { operation: "ListThings", tokenName: "NextToken", maxPages: 3 };

/** Pages whose next tokens are `tokens` in turn; records what each call was asked. */
function lister(tokens: Array<string | undefined>) {
  const asked: Array<[string | undefined, number]> = [];
  const fetchPage = async (token: string | undefined, pageNumber: number) => {
    asked.push([token, pageNumber]);
    return { next: tokens[pageNumber - 1] };
  };
  return { asked, fetchPage };
}

async function drain(tokens: Array<string | undefined>, maxPages = OPTIONS.maxPages) {
  const { asked, fetchPage } = lister(tokens);
  const pages: unknown[] = [];
  try {
    for await (const page of paginate({ ...OPTIONS, maxPages }, fetchPage, (p) => p.next)) {
      pages.push(page);
    }
    return { asked, pages, error: undefined };
  } catch (error) {
    return { asked, pages, error: error as PaginationError };
  }
}

describe("paginate", () => {
  it("follows each token with its page number, and ends on none or an empty one", async () => {
    expect((await drain(["a", "b", undefined])).asked).toEqual([
      [undefined, 1],
      ["a", 2],
      ["b", 3],
    ]);
    expect((await drain([""])).asked).toEqual([[undefined, 1]]);
  });

  it("reads exactly maxPages pages, then fails as TooManyPages", async () => {
    const { asked, pages, error } = await drain(["a", "b", "c", "d"]);
    expect(asked).toHaveLength(3);
    expect(pages).toHaveLength(3);
    expect(error).toBeInstanceOf(PaginationError);
    expect(error).toMatchObject({
      errorName: "TooManyPages",
      message: "ListThings: more than 3 pages; giving up",
    });
  });

  it("fails as RepeatedMarker on any token seen before, not only the last", async () => {
    const { asked, error } = await drain(["a", "b", "a"], 10);
    expect(asked).toHaveLength(3);
    expect(error).toMatchObject({
      errorName: "RepeatedMarker",
      message: "ListThings: NextToken repeated on page 3; the pages would loop",
    });
  });

  it("lets nextToken's own rule end the list with its error", async () => {
    const { fetchPage } = lister(["a"]);
    const pages = paginate(OPTIONS, fetchPage, () => {
      throw new Error("model says no");
    });
    await expect(pages.next().then(() => pages.next())).rejects.toThrow("model says no");
  });
});

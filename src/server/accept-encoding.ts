/** True when the Accept-Encoding header allows gzip (explicitly or by `*`), honouring q=0. */
export function acceptsGzip(header: string | undefined): boolean {
  if (!header) return false;
  let gzip: number | undefined;
  let wildcard: number | undefined;
  for (const part of header.split(",")) {
    const [coding = "", ...parameters] = part.trim().toLowerCase().split(";");
    const qParameter = parameters.map((text) => text.trim()).find((text) => text.startsWith("q="));
    const q = qParameter === undefined ? 1 : Number(qParameter.slice(2));
    const quality = Number.isFinite(q) ? q : 0;
    if (coding.trim() === "gzip" || coding.trim() === "x-gzip") gzip = quality;
    else if (coding.trim() === "*") wildcard = quality;
  }
  return (gzip ?? wildcard ?? 0) > 0;
}

/** A compiled path pattern: `/api/v1/ws/jobs/{job_id}` matches `/api/v1/ws/jobs/abc` with `{job_id: "abc"}`. */
export interface CompiledRoute<T> {
  readonly pattern: string;
  readonly target: T;
  match(path: string): Record<string, string> | undefined;
}

/** Compiles a pattern; `{name}` matches one non-empty path segment (URL-decoded). */
export function compileRoute<T>(pattern: string, target: T): CompiledRoute<T> {
  const names: string[] = [];
  const body = pattern
    .split("/")
    .map((seg) => {
      const m = /^\{(\w+)\}$/.exec(seg);
      if (!m) return seg.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
      names.push(m[1]!);
      return "([^/]+)";
    })
    .join("/");
  const re = new RegExp(`^${body}/?$`);
  return {
    pattern,
    target,
    match(path) {
      const m = re.exec(path);
      if (!m) return undefined;
      const params: Record<string, string> = {};
      try {
        names.forEach((n, i) => (params[n] = decodeURIComponent(m[i + 1]!)));
      } catch {
        return undefined; // malformed percent-encoding: no match
      }
      return params;
    },
  };
}

/** First route that matches `path`, with its params. */
export function findRoute<T>(
  routes: readonly CompiledRoute<T>[],
  path: string,
): { target: T; params: Record<string, string> } | undefined {
  for (const r of routes) {
    const params = r.match(path);
    if (params) return { target: r.target, params };
  }
  return undefined;
}

/** One request, read whole: how many runs and bytes a server answers a query with. */
export interface Probe {
  status: number;
  rows: number;
  bytes: number;
}

export async function probe(url: string, headers: Record<string, string> = {}): Promise<Probe> {
  const response = await fetch(url, { headers });
  const text = await response.text();
  const parsed: unknown = response.ok ? JSON.parse(text) : null;
  return { status: response.status, rows: Array.isArray(parsed) ? parsed.length : -1, bytes: Buffer.byteLength(text) };
}

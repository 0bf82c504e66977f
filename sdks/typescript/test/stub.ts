// A local HTTP server answering scripted responses, for the tests that need no VINR server.

import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage["headers"];
  body: string;
}

export type Answer = (seen: Seen, res: ServerResponse) => void;

/** A server answering with `answers` in turn (the last one again after that). */
export async function stub(answers: Answer[]): Promise<{ base: string; seen: Seen[]; close: () => void }> {
  const seen: Seen[] = [];
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk) => (body += chunk));
    req.on("end", () => {
      const s = { method: req.method ?? "", url: req.url ?? "", headers: req.headers, body };
      seen.push(s);
      answers[Math.min(seen.length, answers.length) - 1](s, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return { base: `http://127.0.0.1:${port}`, seen, close: () => server.close() };
}

/** Answers `body` as JSON with `status` (and a request id). */
export const json =
  (status: number, body: unknown, headers: Record<string, string> = {}): Answer =>
  (_, res) => {
    res.writeHead(status, { "content-type": "application/json", "x-request-id": "req_123", ...headers });
    res.end(JSON.stringify(body));
  };

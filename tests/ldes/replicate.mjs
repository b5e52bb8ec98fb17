// Replicates the event stream at URL with the real `ldes-client` and prints each member it emits
// as one JSON line: {id, isVersionOf, timestamp, type, quads} (quads as N-Quads).
// Usage: node replicate.mjs URL [STATE_DIR]; with STATE_DIR the client keeps its state there
// and a later run resumes from it (and emits only what is new).
import { replicateLDES, intoConfig } from "ldes-client";
import { Writer } from "n3";

const [url, statePath] = process.argv.slice(2);
if (!url) {
  console.error("usage: node replicate.mjs URL [STATE_DIR]");
  process.exit(2);
}
const client = replicateLDES(intoConfig({ url, statePath, concurrentFetches: 2 }));
const reader = client.stream({ highWaterMark: 10 }).getReader();
for (;;) {
  const { value: member, done } = await reader.read();
  if (done) break;
  const quads = new Writer({ format: "N-Quads" }).quadsToString(member.quads);
  process.stdout.write(
    JSON.stringify({
      id: member.id.value,
      isVersionOf: member.isVersionOf ?? null,
      timestamp: member.timestamp instanceof Date ? member.timestamp.toISOString() : member.timestamp ?? null,
      type: member.type?.value ?? null,
      quads,
    }) + "\n",
  );
}

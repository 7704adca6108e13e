// Compose subgraph SDLs with Apollo's own composition. Reads JSON [{name, url, sdl}] on stdin and
// writes JSON {supergraphSdl} or {errors: [{message, code}]} on stdout.
import { composeServices } from "@apollo/composition";
import { parse } from "graphql";

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const services = JSON.parse(Buffer.concat(chunks).toString("utf8")).map((s) => ({
  name: s.name,
  url: s.url,
  typeDefs: parse(s.sdl),
}));
const result = composeServices(services);
if (result.errors) {
  const errors = result.errors.map((e) => ({ message: e.message, code: e.extensions?.code ?? null }));
  process.stdout.write(JSON.stringify({ errors }));
} else {
  process.stdout.write(JSON.stringify({ supergraphSdl: result.supergraphSdl, hints: (result.hints ?? []).map((h) => h.toString()) }));
}

// Compose many subgraph sets with Apollo's composition in one node process. Reads JSON
// [[{name, url, sdl}, ...], ...] on stdin and writes JSON [{supergraphSdl} | {errors}, ...] on stdout.
import { composeServices } from "@apollo/composition";
import { parse } from "graphql";

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const results = JSON.parse(Buffer.concat(chunks).toString("utf8")).map((set) => {
  try {
    const services = set.map((s) => ({ name: s.name, url: s.url, typeDefs: parse(s.sdl) }));
    const result = composeServices(services);
    if (result.errors) {
      return { errors: result.errors.map((e) => ({ message: e.message, code: e.extensions?.code ?? null })) };
    }
    return { supergraphSdl: result.supergraphSdl };
  } catch (e) {
    // graphql's parse throws on syntax errors; Apollo reports those as INVALID_GRAPHQL.
    return { errors: [{ message: String(e.message ?? e), code: "INVALID_GRAPHQL" }] };
  }
});
process.stdout.write(JSON.stringify(results));
